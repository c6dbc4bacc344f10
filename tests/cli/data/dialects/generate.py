# Regenerates the fixtures of tests/cli/data/dialects/ (they are committed;
# run this only to change the data set, then update tests/cli/t20-dialects.sh).
#   python3 tests/cli/data/dialects/generate.py
import os
out = os.path.dirname(os.path.abspath(__file__))
H = ['date', 'region', 'score', 'weight', 'comment']
R = [
    ['2025-01-06', 'Utrecht', '10', '1.5', 'Fast, friendly delivery'],
    ['2025-01-07', 'Utrecht', '9', '1', 'Great'],
    ['2025-01-08', 'Utrecht', '6', '2.25', 'Parcel was "damaged"'],
    ['2025-01-06', 'Fryslân', '8', '1', 'Late\nsecond line'],
    ['2025-01-09', 'Fryslân', '3', '0.5', 'Never again'],
    ['2025-01-12', 'Fryslân', '10', '2', ''],
    ['2025-01-13', 'Utrecht', '7', '1', 'OK'],
    ['2025-01-14', 'Utrecht', '', '1', 'No score given'],
    ['2025-01-15', 'Utrecht', '10', '1.75', 'Top; really'],
    ['2025-01-19', 'Utrecht', '9', '3', 'Quick'],
    ['2025-01-13', 'Fryslân', '9', '1', 'Dank je wel'],
    ['2025-01-16', 'Fryslân', '5', '2', 'Meh;\n"so-so"'],
    ['2025-01-18', 'Fryslân', '4', '1', ''],
]

# Quote a field as Excel does (only when needed, or always with quote_all);
# with dec=',' a decimal number gets a decimal comma.
def field(v, sep, quote_all=False, dec='.'):
    if dec == ',' and v and v[0].isdigit() and '.' in v and v.replace('.', '').isdigit():
        v = v.replace('.', ',')
    if quote_all or any(c in v for c in (sep, '"', '\n', '\r')):
        return '"' + v.replace('"', '""') + '"'
    return v

def write(name, sep=',', eol='\n', bom=False, enc='utf-8', dec='.', quote_all=False,
          final_eol=True, trailer='', inner_eol='\n', header=H):
    lines = []
    for row in [header] + R:
        lines.append(sep.join(field(v.replace('\n', inner_eol), sep, quote_all, dec) for v in row))
    text = eol.join(lines) + (eol if final_eol else '') + trailer
    data = text.encode(enc)
    if bom:
        data = b'\xef\xbb\xbf' + data
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)

write('comma-lf.csv')
write('comma-crlf.csv', eol='\r\n', inner_eol='\r\n')
write('utf8-bom.csv', bom=True)
write('semicolon-decimal-comma.csv', sep=';', dec=',')
write('tab.tsv', sep='\t')
write('excel-nl.csv', sep=';', eol='\r\n', bom=True, dec=',')
write('windows-1252.csv', enc='cp1252')
write('quoted-empty.csv', quote_all=True)
write('no-final-newline.csv', final_eol=False)
write('blank-line-at-end.csv', trailer='\n')
write('crlf-blank-lines-at-end.csv', eol='\r\n', trailer='\r\n\r\n')
write('semicolon-decimal-point.csv', sep=';', dec='.')
# a ';' file whose header has more commas (5) than semicolons (4): detection picks ','
write('semicolon-comma-header.csv', sep=';', dec=',',
      header=H[:4] + ['comment (free text, optional, short, in Dutch, anonymised, max. 200 chars)'])
