# Regenerates the fixtures of tests/cli/data/exports/ (they are committed;
# run this only to change the data set, then run tests/cli/t50-exports.sh).
#   python3 tests/cli/data/exports/generate.py
#
# One business, written five ways (README.md here): 5 stores, 36 months
# (2022-01 .. 2024-12), four departments (logistics, service, web, finance)
# and 7,200 survey responses.  Every number is made as a decimal
# string from integers, then only its spelling changes per variant, so that
# every variant holds exactly the same values.
import os
import random

out = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20260113)

STORES = ['Amsterdam', 'Den Haag', 'Eindhoven', 'Rotterdam', 'Utrecht']
MONTHS = [(y, m) for y in (2022, 2023, 2024) for m in range(1, 13)]
COMMENTS = ['', '', '', 'snel geleverd', 'vriendelijk personeel', 'te lang gewacht', 'één keer mis',
            'prima', 'pakket beschadigd']


def dec(units, places):
    """A decimal string from an integer number of 10^-places (no float)."""
    sign = '-' if units < 0 else ''
    units = abs(units)
    if places == 0:
        return sign + str(units)
    q, r = divmod(units, 10 ** places)
    return '%s%d.%0*d' % (sign, q, places, r)


# ---- the business ---------------------------------------------------------
rows = []        # one per store x month: the department metrics
responses = []   # (y, m, day, hour, minute, store, score, comment)
effect = {s: e for s, e in zip(STORES, (8, -6, 2, -10, 4))}
latent_prev = {s: 10.0 for s in STORES}
for (y, m) in MONTHS:
    season = (0, -1, 0, 1, 2, 1, 0, -2, -1, 0, 2, 4)[m - 1]
    for s in STORES:
        delivery = 250 + rng.randint(-60, 90) + effect[s] * 5          # hundredths of days
        handling = 3000 + rng.randint(-600, 900)                        # tenths of seconds
        conversion = 280 + rng.randint(-70, 90)                         # hundredths of %
        ctr = 410 + rng.randint(-80, 80)
        sessions = 150000 + rng.randint(-40000, 90000)
        shipments = 8000 + rng.randint(-1500, 2500)
        contacts = 1200 + rng.randint(-300, 400)
        latent = (62 - 15.0 * delivery / 100 - 0.1 * handling / 10 + 12.0 * conversion / 100 + effect[s] +
                  rng.gauss(0, 4))
        revenue = int(round((900000 + 4000 * latent_prev[s] + 60000 * conversion / 100 + 15000 * effect[s] +
                             20000 * season + rng.gauss(0, 25000)) * 100))
        returns = -rng.randint(100000, 4500000)                         # cents, negative
        margin = 3300 + rng.randint(-300, 300)                          # hundredths of %
        latent_prev[s] = latent
        rows.append(dict(y=y, m=m, store=s, delivery_days=dec(delivery, 2), shipments=dec(shipments, 0),
                         handling_time_s=dec(handling, 1), contacts=dec(contacts, 0),
                         conversion=dec(conversion, 2), ctr=dec(ctr, 2), sessions=dec(sessions, 0),
                         revenue=dec(revenue, 2), returns=dec(returns, 2), margin=dec(margin, 2)))
        p_prom = min(0.9, max(0.05, 0.40 + latent / 250))
        p_det = min(0.9, max(0.05, 0.35 - latent / 250))
        for k in range(40):
            u = rng.random()
            score = rng.choice((9, 10)) if u < p_prom else rng.randint(0, 6) if u < p_prom + p_det else rng.choice((7, 8))
            responses.append((y, m, rng.randint(1, 28), rng.randint(8, 21), rng.randint(0, 59), s, score,
                              rng.choice(COMMENTS)))
responses.sort(key=lambda r: (r[0], r[1], r[2], r[3], r[4], r[5]))

FILES = {  # file: its columns (the clean names)
    'logistics.csv': ['month', 'store', 'delivery_days', 'shipments'],
    'service.csv': ['month', 'store', 'handling_time_s', 'contacts'],
    'web.csv': ['month', 'store', 'conversion', 'ctr', 'sessions'],
    'finance.csv': ['month', 'store', 'revenue', 'returns', 'margin'],
}
MONEY = {'revenue', 'returns'}
PERCENT = {'conversion', 'ctr', 'margin'}


def group(digits, sep):
    """1073237 -> 1.073.237 with sep '.'"""
    out = ''
    for i, c in enumerate(digits):
        if i and (len(digits) - i) % 3 == 0:
            out += sep
        out += c
    return out


def spell(v, mark='.', thousands='', neg='-'):
    """A decimal string spelled with another decimal mark, thousands
    separator and negative form ('-', '()' or 'trailing')."""
    negative = v.startswith('-')
    v = v.lstrip('-')
    ip, _, fp = v.partition('.')
    s = group(ip, thousands) if thousands else ip
    if fp:
        s += mark + fp
    if negative:
        s = '(' + s + ')' if neg == '()' else s + '-' if neg == 'trailing' else '-' + s
    return s


def quote(v, sep):
    if any(c in v for c in (sep, '"', '\n', '\r')):
        return '"' + v.replace('"', '""') + '"'
    return v


def write(path, header, lines, sep, eol='\n', enc='utf-8', bom=False, first='', trailer=''):
    text = first + eol.join(sep.join(quote(v, sep) for v in row) for row in [header] + lines) + eol + trailer
    data = text.encode(enc)
    if bom:
        data = b'\xef\xbb\xbf' + data
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


def variant(name, *, sep, eol='\n', enc='utf-8', bom_files=(), date, stamp, cell, header=None, first='',
            trail_cols=0, trailer='', resp_header=None):
    header = header or {}
    for fname, cols in FILES.items():
        lines = [[date(r['y'], r['m'], 1) if c == 'month' else r['store'] if c == 'store' else cell(c, r[c])
                  for c in cols] + [''] * trail_cols for r in rows]
        hdr = [header.get(fname, {}).get(c, c) for c in cols] + [''] * trail_cols
        write(os.path.join(out, name, fname), hdr, lines, sep, eol, enc, fname in bom_files, first,
              trailer)
    rh = resp_header or ['date', 'store', 'score', 'comment']
    lines = [[stamp(y, m, d, hh, mm), s, str(score), comment] + [''] * trail_cols
             for (y, m, d, hh, mm, s, score, comment) in responses]
    write(os.path.join(out, name, 'responses.csv'), rh + [''] * trail_cols, lines, sep, eol, enc,
          'responses.csv' in bom_files, first, trailer)


# 1. clean: ISO dates, ',' and decimal points, LF, UTF-8
variant('clean', sep=',', date=lambda y, m, d: '%04d-%02d-%02d' % (y, m, d),
        stamp=lambda y, m, d, hh, mm: '%04d-%02d-%02d' % (y, m, d), cell=lambda c, v: v)

# 2. Dutch Excel: "sep=;" first, ';', decimal commas, '.' thousands, '€',
#    day-first dates (d-M-yyyy) and date-times, trailing ";;", rows of
#    empty cells at the end, CRLF, windows-1252 (Excel's "CSV" export), but
#    one file saved as "CSV UTF-8" (a BOM, read with the same option)
def nl_cell(c, v):
    if c in MONEY:
        return '\u20ac ' + spell(v, ',', '.')
    return spell(v, ',', '.')


variant('nl-excel', sep=';', eol='\r\n', enc='cp1252', bom_files=('service.csv',),
        date=lambda y, m, d: '%d-%d-%04d' % (d, m, y),
        stamp=lambda y, m, d, hh, mm: '%d-%d-%04d %02d:%02d' % (d, m, y, hh, mm),
        cell=nl_cell, first='sep=;\r\n', trail_cols=2, trailer=';;;;;;;\r\n;;;;;;;\r\n')
# the BOM file must be UTF-8 after all: rewrite it so
with open(os.path.join(out, 'nl-excel', 'service.csv'), 'rb') as f:
    raw = f.read()
with open(os.path.join(out, 'nl-excel', 'service.csv'), 'wb') as f:
    f.write(b'\xef\xbb\xbf' + raw[3:].decode('cp1252').encode('utf-8'))


# 3. English Excel: ',' with amounts quoted ("€1,073,237.22"), month-first
#    dates (m/d/yyyy, which a file of first-of-month dates cannot make clear:
#    --date-format), header cells with spaces around them
def en_cell(c, v):
    if c in MONEY:
        s = spell(v, '.', ',')
        return ('-\u20ac' + s[1:]) if s.startswith('-') else '\u20ac' + s
    return spell(v, '.', ',')


variant('en-excel', sep=',', eol='\r\n', date=lambda y, m, d: '%d/%d/%04d' % (m, d, y),
        stamp=lambda y, m, d, hh, mm: '%d/%d/%04d %d:%02d' % (m, d, y, hh, mm), cell=en_cell,
        header={f: {'store': ' store ', 'month': 'month '} for f in FILES})


# 4. accounting: ';' and decimal commas, negatives in parentheses or with a
#    trailing minus, percentages, amounts with EUR after them, dotted dates
def acc_cell(c, v):
    if c == 'returns':
        neg = '()' if int(v.replace('.', '').replace('-', '')) % 2 else 'trailing'
        return spell(v, ',', '.', neg) + ' EUR'
    if c == 'revenue':
        return spell(v, ',', '.') + ' EUR'
    if c in PERCENT:
        return spell(v, ',', '.') + '%'
    return spell(v, ',', '.')


variant('accounting', sep=';', date=lambda y, m, d: '%02d.%02d.%04d' % (d, m, y),
        stamp=lambda y, m, d, hh, mm: '%02d.%02d.%04d' % (d, m, y), cell=acc_cell)

# 5. renamed: each department's own Dutch column names, the store column
#    named 'vestiging' in some files and 'winkel' in others; mapped in the
#    scenario ("columns") and with --rename
NL = {'month': 'maand', 'delivery_days': 'levertijd_dagen', 'shipments': 'zendingen',
      'handling_time_s': 'afhandeltijd_s', 'contacts': 'contacten', 'conversion': 'conversie',
      'ctr': 'doorklik', 'sessions': 'sessies', 'revenue': 'omzet', 'returns': 'retouren', 'margin': 'marge'}
ren = {}
for fname in FILES:
    ren[fname] = dict(NL)
    ren[fname]['store'] = 'winkel' if fname in ('web.csv', 'finance.csv') else 'vestiging'
variant('renamed', sep=',', date=lambda y, m, d: '%04d-%02d-%02d' % (y, m, d),
        stamp=lambda y, m, d, hh, mm: '%04d-%02d-%02d' % (y, m, d), cell=lambda c, v: v, header=ren,
        resp_header=['datum', 'winkel', 'cijfer', 'opmerking'])
