/*
 * csv.c - the streaming CSV reader.
 *
 * The file is read in 256 KiB chunks and cut into physical lines.  Each line is
 * checked (NUL bytes, UTF-8, or converted from windows-1252) and fed to
 * libcsv, which tokenises RFC 4180 (quotes, doubled quotes, separators and
 * newlines inside quotes) in strict mode.  Records are collected until a block
 * of `block_rows` is complete, then converted to typed columns in a block
 * table that the caller borrows until the next call.  Memory is therefore
 * bounded by the block size, whatever the size of the file.  After the
 * first block the column types are known: plain lines are converted as they
 * are read (feed_direct), and by default the blocks are smaller, so that a
 * block's text and table are still in the cache when the caller reads them.
 *
 * Positions: libcsv reports no positions, so the reader keeps the raw text
 * of the records of the current block and the line where each record starts.
 * When a cell is bad, the record's raw text is scanned once more to find the
 * line and column of that cell.  That scan runs only on the error path.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cell.h"
#include "table.h"

#define CHUNK (1u << 18)
#define DEFAULT_BLOCK_ROWS 16384 /* the first block: the rows that type the columns */
#define DEFAULT_NEXT_ROWS 2048   /* the blocks after it: small enough to stay in the cache */
#define EXCERPT 40

struct cx_csv_reader {
    char *path; /* the name in messages (the path, or "<stdin>") */
    FILE *fp;
    size_t max_line; /* cx_limits: the longest record, in bytes */
    char sep, decimal;
    int decimal_forced;
    cx_encoding encoding;
    size_t block_rows, infer_rows;
    size_t next_rows; /* rows per block after the first */
    uint64_t range_start, range_end;
    unsigned long range_line;
    cx_csv_coltype *types;
    size_t ntypes;
    /* cells (cell.c): the file's rules, each column's style, and the
     * column names as the file writes them (for messages) */
    cx_cellrules rules;
    cx_colfmt *fmt;
    cx_error **pending; /* per column: what its type inference found wrong, reported
                           when the column is converted (a skipped one never is) */
    char **fnames;
    char *date_format;
    cx_csv_rename *renames;
    size_t nrenames;
    int renames_optional;
    int types_optional;
    int bom_beat_option;  /* a UTF-8 BOM overruled --encoding windows-1252 */
    unsigned char *renamed; /* the caller's flags: which renames were applied */
    cx_warnings *notes;
    struct csv_parser parser;
    int parser_ready;

    /* input window: bytes [pos, len) of buf are unread */
    unsigned char *buf;
    size_t len, pos, cap;
    int eof;
    uint64_t bytes;
    unsigned long line; /* physical line number of the next line */
    cx_buf conv;        /* the current line converted from windows-1252 */

    /* records of the current block */
    cx_buf fields;   /* field texts, each NUL-terminated */
    size_t *fstart;  /* offset of each field in `fields` */
    size_t nf, fcap;
    size_t *rfirst;  /* first field of each record (plus one sentinel) */
    unsigned long *rline;
    size_t *rraw;    /* offset of each record's raw text in `raw` (plus sentinel) */
    size_t nrec, rcap;
    size_t nconv;    /* records already converted into rows of the block */
    int eager;       /* the types are known: convert quote-free lines as they come */
    size_t *span;    /* the direct path: start and end of each field of a line */
    cx_coltype *ctype;          /* the direct path: each column's type */
    unsigned char cls_sep[256]; /* the direct path: 1 for the separator */
    unsigned char cls_all[256]; /* ... and 2 for a byte that needs checks */
    cx_buf raw;      /* raw (UTF-8) text of the block's records */
    int in_record;
    size_t rows_this_line;  /* rows libcsv ended while the current line was fed */
    int last_row_cr;        /* the last row ended at a CR */
    unsigned long cur_line;
    size_t cur_raw;
    cx_status cb_status;

    cx_table *schema; /* column names and types, no rows */
    cx_table *block;
    unsigned char *forced;       /* per column: type forced by the caller */
    unsigned char *skip;         /* per column: not converted (cx_csv_skip_columns) */
    size_t ncols;
    int header_done, finished;
    int handed; /* the held records were handed out as a block */
};

/* ======================================================================== */
/* Positions and errors                                                     */
/* ======================================================================== */

/* Find where field `field` of a record starts in its raw text (or, when
 * `field` equals the number of fields, where the record's text ends): the
 * number of line breaks before it and the 1-based column in code points. */
static void locate(const char *raw, size_t n, char sep, size_t field, unsigned long *dline,
                   unsigned long *col, size_t *offset)
{
    size_t i = 0, f = 0, line_start = 0;
    unsigned long lines = 0;
    int quoted = 0;
    while (i < n && f < field) {
        char c = raw[i];
        if (c == '"')
            quoted = !quoted;
        else if (c == sep && !quoted)
            f++;
        else if (c == '\n' || (c == '\r' && quoted)) {
            if (c == '\r' && i + 1 < n && raw[i + 1] == '\n')
                i++;
            if (!quoted)
                break; /* end of the record */
            lines++;
            line_start = i + 1;
        }
        i++;
    }
    if (f < field) {
        /* the end of the record: just before its line terminator */
        while (i > line_start && (raw[i - 1] == '\n' || raw[i - 1] == '\r'))
            i--;
    } else {
        /* skip the spaces that libcsv trims before an unquoted field */
        while (i < n && raw[i] == ' ')
            i++;
    }
    *dline = lines;
    *col = (unsigned long)cx_utf8_count((const unsigned char *)raw + line_start, i - line_start) + 1;
    if (offset)
        *offset = i;
}

/* Position of field `field` of record `rec` of the current block. */
static void record_pos(const cx_csv_reader *r, size_t rec, size_t field, unsigned long *line,
                       unsigned long *col)
{
    size_t end = rec + 1 < r->nrec ? r->rraw[rec + 1] : r->raw.len;
    unsigned long dline;
    locate(r->raw.data + r->rraw[rec], end - r->rraw[rec], r->sep, field, &dline, col, NULL);
    *line = r->rline[rec] + dline;
}

static cx_status oom(cx_error *err)
{
    return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

/* An excerpt of bytes for a message, quoted. */
static const char *excerpt(const char *s, size_t n, char *out, size_t size)
{
    cx_quote_excerpt(s, n, EXCERPT, out, size);
    return out;
}

static const char *sep_name(char sep)
{
    return sep == '\t' ? "tab" : sep == ';' ? "';'" : "','";
}

/* ======================================================================== */
/* libcsv callbacks                                                         */
/* ======================================================================== */

static void on_field(void *s, size_t n, void *data)
{
    cx_csv_reader *r = data;
    if (r->cb_status != CX_OK)
        return;
    if (!r->in_record) {
        /* a record that starts on a line where another ended (bare CR) */
        r->in_record = 1;
        r->cur_line = r->line;
        r->cur_raw = r->raw.len;
    }
    if (cx_grow((void **)&r->fstart, &r->fcap, r->nf + 2, sizeof(size_t)) != CX_OK ||
        cx_buf_append(&r->fields, s ? s : "", s ? n : 0) != CX_OK ||
        cx_buf_append(&r->fields, "", 1) != CX_OK) {
        r->cb_status = CX_ENOMEM;
        return;
    }
    r->fstart[r->nf++] = r->fields.len - n - 1;
}

/* Room for one more record in rfirst, rline and rraw, which share one
 * capacity. */
static cx_status record_room(cx_csv_reader *r)
{
    if (r->nrec + 2 <= r->rcap)
        return CX_OK;
    size_t cap = r->rcap * 2;
    size_t *nf = cx_realloc(r->rfirst, cap * sizeof(size_t));
    if (nf)
        r->rfirst = nf;
    unsigned long *nl = nf ? cx_realloc(r->rline, cap * sizeof(unsigned long)) : NULL;
    if (nl)
        r->rline = nl;
    size_t *nr = nl ? cx_realloc(r->rraw, cap * sizeof(size_t)) : NULL;
    if (!nr)
        return CX_ENOMEM;
    r->rraw = nr;
    r->rcap = cap;
    return CX_OK;
}

static void on_row(int c, void *data)
{
    cx_csv_reader *r = data;
    if (r->cb_status != CX_OK)
        return;
    r->rows_this_line++;
    r->last_row_cr = c == '\r';
    if (record_room(r) != CX_OK) {
        r->cb_status = CX_ENOMEM;
        return;
    }
    if (!r->in_record) { /* a row with no field callback cannot happen; be safe */
        r->cur_line = r->line;
        r->cur_raw = r->raw.len;
    }
    r->rline[r->nrec] = r->cur_line;
    r->rraw[r->nrec] = r->cur_raw;
    r->nrec++;
    r->rfirst[r->nrec] = r->nf;
    r->in_record = 0;
}

/* ======================================================================== */
/* Lines                                                                    */
/* ======================================================================== */

/* The error for a line or record (`what`) longer than the limit. */
static cx_status too_long(const cx_csv_reader *r, unsigned long line, const char *what, cx_error *err)
{
    char lim[48];
    return cx_error_set(err, CX_ESYNTAX, r->path, line, 1,
                        "expected a %s of at most %s (raise the limit with --max-line), found a longer "
                        "one%s",
                        what, cx_size_text(r->max_line, lim, sizeof lim),
                        what[0] == 'r' ? " that starts here (a quote that is never closed?)" : "");
}

/* The next physical line including its '\n' (the last may lack one), or
 * len 0 at the end of the file. */
static cx_status next_line(cx_csv_reader *r, const unsigned char **line, size_t *len,
                           cx_error *err)
{
    for (;;) {
        /* no buffer before the first read: NULL + 0 is undefined in C */
        unsigned char *start = r->buf ? r->buf + r->pos : NULL;
        unsigned char *nl = r->len > r->pos ? memchr(start, '\n', r->len - r->pos) : NULL;
        if (nl || r->eof) {
            *line = start;
            *len = nl ? (size_t)(nl - start) + 1 : r->len - r->pos;
            if (*len - (nl != NULL) > r->max_line)
                return too_long(r, r->line, "line", err);
            r->pos += *len;
            return CX_OK;
        }
        /* a long stretch without LF but with a CR: old Mac line ends; hand
         * out up to the CR (feed_line reports it) instead of reading the
         * whole file into memory */
        if (r->len - r->pos > 4 * CHUNK) {
            unsigned char *cr = memchr(start, '\r', r->len - r->pos - 1);
            if (cr) {
                *line = start;
                *len = (size_t)(cr - start) + 1;
                r->pos += *len;
                return CX_OK;
            }
        }
        /* a line longer than the limit: stop before it exhausts memory (a
         * device, a 2 GB line) */
        if (r->len - r->pos > r->max_line)
            return too_long(r, r->line, "line", err);
        /* slide the partial line to the front and read more */
        if (r->pos > 0) {
            if (r->len > r->pos)
                memmove(r->buf, r->buf + r->pos, r->len - r->pos);
            r->len -= r->pos;
            r->pos = 0;
        }
        if (r->cap - r->len < CHUNK / 2 &&
            cx_grow((void **)&r->buf, &r->cap, r->cap + CHUNK, 1) != CX_OK)
            return oom(err);
        size_t want = r->cap - r->len;
        if (r->range_end && r->bytes + want > r->range_end)
            want = r->range_end > r->bytes ? (size_t)(r->range_end - r->bytes) : 0;
        size_t got = want ? fread(r->buf + r->len, 1, want, r->fp) : 0;
        if (got == 0) {
            if (ferror(r->fp))
                return cx_error_set(err, CX_EIO, r->path, 0, 0, "read failed: %s", strerror(errno));
            r->eof = 1;
        }
        r->len += got;
        r->bytes += got;
    }
}

/* Pick the separator that occurs most often outside quotes in the header. */
static char detect_sep(const unsigned char *s, size_t n)
{
    size_t comma = 0, semi = 0, tab = 0;
    int quoted = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            quoted = !quoted;
        else if (!quoted)
            comma += s[i] == ',', semi += s[i] == ';', tab += s[i] == '\t';
    }
    if (tab > 0 && tab >= semi && tab >= comma)
        return '\t';
    if (semi > comma)
        return ';';
    return ',';
}

static int only_space(unsigned char c)
{
    return c == ' ';
}

static cx_status count_error(const cx_csv_reader *r, size_t i, size_t nfields, cx_error *err);

/* Excel's habits: a row of empty cells (";;;;") carries nothing and is
 * skipped like a blank line, and empty cells after the last column
 * ("1;2;3;;") are no extra fields. */
static int blank_row(unsigned char sep, const unsigned char *s, size_t end)
{
    for (size_t i = 0; i < end; i++)
        if (s[i] != sep && s[i] != ' ')
            return 0;
    return 1;
}

/* s[from .. end) holds only separators, spaces and quotes: the empty fields
 * after the last column (and the closing quote of the last one). */
static int empty_tail(unsigned char sep, const unsigned char *s, size_t from, size_t end)
{
    for (size_t i = from; i < end; i++)
        if (s[i] != sep && s[i] != ' ' && s[i] != '"')
            return 0;
    return 1;
}
static cx_status convert_cell(cx_csv_reader *r, size_t i, size_t row, size_t j, const char *s, size_t n,
                              cx_error *err);

/* Split line s[0 .. end) (no terminator) into span when it is UTF-8 text
 * without NUL or CR whose quotes only enclose whole fields: spaces, an
 * opening quote, text without a quote, the closing quote, spaces, then the
 * separator or the end.  The spans are final: an unquoted field without
 * the spaces around it (as libcsv trims them), a quoted one exactly as
 * between its quotes.  Returns the number of fields, or 0 for any other
 * line (a doubled quote, a quote inside a field, a record over several
 * lines, text after a closing quote: libcsv's to read or report). */
static size_t split_quoted(const cx_csv_reader *r, const unsigned char *s, size_t end, size_t *span)
{
    if (r->encoding != CX_ENC_UTF8)
        return 0;
    unsigned char sep = (unsigned char)r->sep;
    int high = 0;
    size_t nfl = 0, i = 0;
    for (;;) {
        size_t lo = i, hi, next;
        while (lo < end && s[lo] == ' ')
            lo++;
        if (lo < end && s[lo] == '"') {
            hi = ++lo;
            while (hi < end && s[hi] != '"') {
                if (s[hi] == '\0' || s[hi] == '\r')
                    return 0;
                high |= s[hi] & 0x80;
                hi++;
            }
            if (hi == end)
                return 0; /* the field goes on past the line */
            next = hi + 1;
            while (next < end && s[next] == ' ')
                next++;
            if (next < end && s[next] != sep)
                return 0; /* a doubled quote, or text after the closing quote */
        } else {
            next = lo;
            while (next < end && s[next] != sep) {
                if (s[next] == '"' || s[next] == '\0' || s[next] == '\r')
                    return 0;
                high |= s[next] & 0x80;
                next++;
            }
            hi = next;
            while (hi > lo && s[hi - 1] == ' ')
                hi--;
        }
        if (nfl < r->ncols) {
            span[2 * nfl] = lo;
            span[2 * nfl + 1] = hi;
        }
        nfl++;
        if (next >= end)
            break;
        i = next + 1;
    }
    if (high && cx_utf8_valid_prefix(s, end) < end)
        return 0;
    return nfl;
}

/*
 * The direct path, once the column types are known and every record held is
 * converted: a line becomes a row of the block at once, with no copy of its
 * fields.  It is split at the separators with the spaces around each field
 * trimmed (what libcsv does in strict mode), checked for the header's number
 * of fields, and converted cell by cell by the code that converts stored
 * records (a number that parses is stored without it), so that rows, errors
 * and their positions are the same.
 *
 * Unless `checked` (feed_line has checked the line: no NUL, valid text, no
 * quote, no CR), the split also looks for a byte that needs those checks
 * (NUL, quote, CR, any byte above 0x7F): one scan of the line instead of
 * five for the plain ASCII lines of most exports.  Finding one, it splits
 * the line again with split_quoted, which takes the lines of UTF-8 text
 * whose quotes only enclose whole fields (a comment column); any other line
 * returns with *done = 0 before anything changed, for feed_line's checks
 * and libcsv.
 */
static cx_status feed_direct(cx_csv_reader *r, const unsigned char *s, size_t n, int checked, int *done,
                             cx_error *err)
{
    *done = 0;
    size_t end = n;
    if (end && s[end - 1] == '\n' && --end && s[end - 1] == '\r')
        end--; /* LF or CRLF; a CR without LF stays, for libcsv to report */
    if (end == 0)
        return CX_OK; /* a blank line: feed_line skips it */
    const unsigned char *cls = checked ? r->cls_sep : r->cls_all;
    size_t *span = r->span, nfl = 0, a = 0, k = 0;
    int found_odd = 0;
#ifdef __SSE2__
    /* sixteen bytes at a time: a mask of the separators, and one of the bytes
     * that need checks (NUL, quote, CR, and the high bit) */
    const __m128i vsep = _mm_set1_epi8(r->sep), vnul = _mm_setzero_si128(), vq = _mm_set1_epi8('"'),
                  vcr = _mm_set1_epi8('\r');
    for (; k + 16 <= end; k += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + k));
        if (!checked) {
            __m128i odd = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, vnul), _mm_cmpeq_epi8(v, vq)),
                                       _mm_or_si128(_mm_cmpeq_epi8(v, vcr), v));
            if (_mm_movemask_epi8(odd)) {
                found_odd = 1; /* a byte that needs checks */
                break;
            }
        }
        for (unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vsep)); m; m &= m - 1) {
            size_t at = k + (size_t)__builtin_ctz(m);
            if (nfl < r->ncols) {
                span[2 * nfl] = a;
                span[2 * nfl + 1] = at;
            }
            nfl++;
            a = at + 1;
        }
    }
#endif
    for (; !found_odd && k < end; k++) {
        unsigned char c = cls[s[k]];
        if (c == 0)
            continue;
        if (c == 2) {
            found_odd = 1; /* a byte that needs checks */
            break;
        }
        if (nfl < r->ncols) {
            span[2 * nfl] = a;
            span[2 * nfl + 1] = k;
        }
        nfl++;
        a = k + 1;
    }
    int trim = !found_odd; /* the spans still hold the spaces around the fields */
    if (!found_odd) {
        if (nfl < r->ncols) {
            span[2 * nfl] = a;
            span[2 * nfl + 1] = end;
        }
        nfl++;
    } else if (!(nfl = split_quoted(r, s, end, span)))
        return CX_OK; /* for feed_line's checks and libcsv */
    *done = 1;
    if (nfl > 1 && (s[0] == r->sep || s[0] == ' ') && blank_row((unsigned char)r->sep, s, end)) {
        r->line++;
        return CX_OK;
    }
    if (nfl > r->ncols && r->ncols && empty_tail((unsigned char)r->sep, s, span[2 * r->ncols - 1], end))
        nfl = r->ncols;
    if (record_room(r) != CX_OK || cx_buf_append(&r->raw, s, n) != CX_OK)
        return oom(err);
    size_t i = r->nrec;
    r->rline[i] = r->line;
    r->rraw[i] = r->raw.len - n;
    r->nrec++;
    r->rfirst[r->nrec] = r->nf; /* no stored fields */
    r->nconv = r->nrec;
    if (nfl != r->ncols)
        return count_error(r, i, nfl, err);
    size_t row;
    if (cx_table_add_row(r->block, r->line, &row) != CX_OK)
        return oom(err);
    for (size_t j = 0; j < r->ncols; j++) {
        if (r->skip && r->skip[j])
            continue; /* a column the caller does not read: left missing */
        size_t lo = span[2 * j], hi = span[2 * j + 1];
        while (trim && lo < hi && s[lo] == ' ')
            lo++;
        while (trim && hi > lo && s[hi - 1] == ' ')
            hi--;
        if (lo == hi)
            continue; /* missing */
        double v;
        if (r->ctype[j] == CX_COL_NUMBER && cx_number_parse((const char *)s + lo, hi - lo, r->decimal, &v) == CX_OK) {
            cx_table_set_number(r->block, j, row, v);
            continue;
        }
        cx_status st = convert_cell(r, i, row, j, (const char *)s + lo, hi - lo, err);
        if (st != CX_OK)
            return st;
    }
    r->line++;
    return CX_OK;
}

/* Excel's first line "sep=;" (written by its CSV export in some locales, and
 * by people who want Excel to open the file right) names the separator:
 * taken unless --sep forced one, and skipped.  Returns 1 for such a line. */
static int excel_sep_line(cx_csv_reader *r, const unsigned char *s, size_t n)
{
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    if (n != 5 || strncasecmp((const char *)s, "sep=", 4) != 0 ||
        (s[4] != ',' && s[4] != ';' && s[4] != '\t'))
        return 0;
    if (!r->sep)
        r->sep = (char)s[4];
    r->line++;
    return 1;
}

/* Check, convert and tokenise one physical line. */
static cx_status feed_line(cx_csv_reader *r, const unsigned char *s, size_t n, cx_error *err)
{
    unsigned long lineno = r->line;
    if (lineno == 1 && n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
        /* a byte order mark says UTF-8, whatever --encoding guessed */
        r->bom_beat_option = r->encoding != CX_ENC_UTF8;
        r->encoding = CX_ENC_UTF8;
        s += 3;
        n -= 3;
    }
    if (lineno == 1 && excel_sep_line(r, s, n))
        return CX_OK;
    if (r->eager && r->nconv == r->nrec && !r->in_record) {
        int done;
        cx_status st = feed_direct(r, s, n, 0, &done, err);
        if (done)
            return st;
    }
    const unsigned char *nul = memchr(s, '\0', n);
    if (nul) {
        unsigned long col = (unsigned long)cx_utf8_count(s, (size_t)(nul - s)) + 1;
        return cx_error_set(err, CX_ESYNTAX, r->path, lineno, col,
                            "expected text, found a NUL byte (a UTF-16 or binary file? "
                            "save it from Excel as \"CSV UTF-8\")");
    }
    if (r->encoding == CX_ENC_WINDOWS1252) {
        r->conv.len = 0;
        if (cx_cp1252_to_utf8(&r->conv, s, n) != CX_OK)
            return cx_error_set(err, CX_EIO, r->path, lineno, 0, "cannot convert from windows-1252");
        s = (const unsigned char *)r->conv.data;
        n = r->conv.len;
    } else {
        size_t ok = cx_utf8_valid_prefix(s, n);
        if (ok < n && r->bom_beat_option)
            return cx_error_set(err, CX_ESYNTAX, r->path, lineno, (unsigned long)cx_utf8_count(s, ok) + 1,
                                "expected UTF-8 text, as the file's byte order mark says (it is read as UTF-8 "
                                "whatever --encoding says), found byte 0x%02X: the file mixes encodings; save it "
                                "again from Excel as \"CSV UTF-8\"", s[ok]);
        if (ok < n)
            return cx_error_set(err, CX_ESYNTAX, r->path, lineno,
                                (unsigned long)cx_utf8_count(s, ok) + 1,
                                "expected UTF-8 text, found byte 0x%02X; if the file was saved "
                                "by Excel as \"CSV\", try --encoding windows-1252",
                                s[ok]);
    }
    if (!r->parser_ready) {
        if (!r->sep)
            r->sep = detect_sep(s, n);
        if (!r->decimal)
            r->decimal = r->sep == ';' ? ',' : '.';
        if (r->decimal == ',' && r->sep == ',')
            return cx_error_set(err, CX_EUSAGE, r->path, 0, 0,
                                "a decimal comma needs a ';' or tab separator, not ','");
        cx_cellrules_init(&r->rules, r->sep, r->decimal, r->decimal_forced, r->date_format);
        if (csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
            return oom(err);
        csv_set_realloc_func(&r->parser, cx_realloc);
        csv_set_free_func(&r->parser, cx_free);
        csv_set_delim(&r->parser, (unsigned char)r->sep);
        csv_set_space_func(&r->parser, only_space);
        /* libcsv grows a field's buffer by a fixed block (128 bytes by
         * default): a long quoted field (a quote never closed) would cost a
         * reallocation every 128 bytes, quadratic where realloc copies */
        csv_set_blk_size(&r->parser, CHUNK);
        r->parser_ready = 1;
    }
    /* The fast path: most lines of an export hold no quote.  When libcsv is
     * not in the middle of a record, such a line is split here at its
     * separators, with the same result libcsv gives in strict mode (spaces
     * around unquoted fields trimmed, an empty line ignored); lines with a
     * quote or a lone CR go to libcsv, which reports what is wrong. */
    if (!r->in_record && !memchr(s, '"', n)) {
        size_t end = n;
        if (end && s[end - 1] == '\n' && --end && s[end - 1] == '\r')
            end--; /* LF or CRLF: a line handed out at a lone CR keeps it */
        if (!memchr(s, '\r', end)) {
            if (end == 0 || (r->ncols && blank_row((unsigned char)r->sep, s, end))) {
                r->line++;
                return CX_OK;
            }
            if (r->eager && r->nconv == r->nrec) {
                int done;
                return feed_direct(r, s, n, 1, &done, err);
            }
            r->in_record = 1;
            r->cur_line = lineno;
            r->cur_raw = r->raw.len;
            if (cx_buf_append(&r->raw, s, n) != CX_OK)
                return oom(err);
            /* room for every field of the line at once: at most end + 1
             * fields, end bytes of text and one NUL per field */
            size_t maxf = r->ncols ? r->ncols + 1 : end + 1;
            if (cx_grow((void **)&r->fstart, &r->fcap, r->nf + maxf + 2, sizeof(size_t)) != CX_OK ||
                cx_grow((void **)&r->fields.data, &r->fields.cap, r->fields.len + end + maxf + 1, 1) != CX_OK)
                return oom(err);
            size_t a = 0, nfl = 0;
            unsigned char sepc = (unsigned char)r->sep;
            for (size_t i = 0;; i++) {
                if (i < end && s[i] != sepc)
                    continue;
                size_t lo = a, hi = i;
                while (lo < hi && s[lo] == ' ')
                    lo++;
                while (hi > lo && s[hi - 1] == ' ')
                    hi--;
                if (++nfl > maxf) { /* more fields than the header: make room */
                    maxf *= 2;
                    if (cx_grow((void **)&r->fstart, &r->fcap, r->nf + maxf + 2, sizeof(size_t)) != CX_OK ||
                        cx_grow((void **)&r->fields.data, &r->fields.cap, r->fields.len + end + maxf + 1, 1) != CX_OK)
                        return oom(err);
                }
                r->fstart[r->nf++] = r->fields.len;
                memcpy(r->fields.data + r->fields.len, s + lo, hi - lo);
                r->fields.len += hi - lo;
                r->fields.data[r->fields.len++] = '\0';
                if (i == end)
                    break;
                a = i + 1;
            }
            on_row('\n', r);
            if (r->cb_status != CX_OK)
                return oom(err);
            r->line++;
            return CX_OK;
        }
    }
    if (!r->in_record) {
        r->in_record = 1;
        r->cur_line = lineno;
        r->cur_raw = r->raw.len;
    }
    if (cx_buf_append(&r->raw, s, n) != CX_OK)
        return oom(err);
    if (r->raw.len - r->cur_raw > r->max_line) /* quoted line breaks: one record of many lines */
        return too_long(r, r->cur_line, "record", err);
    /* libcsv treats a lone empty line as nothing; a line inside a record is
     * part of it, so in_record stays as it was. */
    r->rows_this_line = 0;
    size_t done = csv_parse(&r->parser, s, n, on_field, on_row, r);
    if (r->cb_status != CX_OK || (done < n && csv_error(&r->parser) == CSV_ENOMEM))
        return oom(err);
    if (done < n) {
        /* strict mode: a quote inside an unquoted field, or text after a
         * closing quote (`done` is the offset of the offending byte).  Point
         * at the start of the cell and show the cell. */
        size_t field = r->nf - r->rfirst[r->nrec];
        size_t start = r->in_record ? r->cur_raw : r->raw.len - n;
        unsigned long dline, col;
        size_t b;
        locate(r->raw.data + start, r->raw.len - start, r->sep, field, &dline, &col, &b);
        /* the cell's text: from its first byte to the next separator or line end */
        const char *rec = r->raw.data + start;
        size_t len = r->raw.len - start, i = b;
        int q = 0;
        while (i < len && rec[i] != '\r' && rec[i] != '\n' && (q || rec[i] != r->sep))
            q ^= rec[i++] == '"';
        char found[64];
        excerpt(rec + b, i - b, found, sizeof found);
        const char *tail = s[done] == '"' ? "expected no quote inside an unquoted field (quote the "
                                            "whole field and double the quote: \"a \"\"b\"\"\"), found '%s'"
                                          : NULL;
        if (tail)
            return cx_error_set(err, CX_ESYNTAX, r->path, r->cur_line + dline, col, tail, found);
        return cx_error_set(err, CX_ESYNTAX, r->path, r->cur_line + dline, col,
                            "expected a %s separator or the end of the line after a closing "
                            "quote, found '%s'",
                            sep_name(r->sep), found);
    }
    /* a row ended at a CR that is not part of CRLF: old Mac line ends, or a
     * stray CR; libcsv would silently split the line into records */
    if (r->rows_this_line > 1 ||
        (r->rows_this_line == 1 && r->last_row_cr && !(n >= 2 && s[n - 2] == '\r' && s[n - 1] == '\n'))) {
        size_t k = 0;
        while (k < n && !(s[k] == '\r' && (k + 1 >= n || s[k + 1] != '\n')))
            k++;
        return cx_error_set(err, CX_ESYNTAX, r->path, lineno, (unsigned long)cx_utf8_count(s, k) + 1,
                            "expected LF or CRLF line ends, found a lone CR");
    }
    /* A record that is only blank: libcsv emits nothing; forget it. */
    if (r->in_record && r->cur_line == lineno && r->nf == r->rfirst[r->nrec]) {
        int blank = 1;
        for (size_t i = 0; i < n; i++)
            if (s[i] != '\r' && s[i] != '\n')
                blank = 0;
        if (blank) {
            r->in_record = 0;
            r->raw.len = r->cur_raw;
        }
    }
    r->line++;
    return CX_OK;
}

static cx_status convert(cx_csv_reader *r, cx_error *err);

/* Tokenise lines until `want` records are complete or the file ends. */
static cx_status fill(cx_csv_reader *r, size_t want, cx_error *err)
{
    while (r->nrec < want && !r->finished) {
        const unsigned char *s = NULL;
        size_t n = 0;
        cx_status st = next_line(r, &s, &n, err);
        if (st != CX_OK)
            return st;
        if (n == 0) {
            r->finished = 1;
            if (!r->parser_ready)
                break;
            if (csv_fini(&r->parser, on_field, on_row, r) != 0) {
                /* unterminated quote: point at the field that opened it */
                if (r->cb_status != CX_OK || csv_error(&r->parser) == CSV_ENOMEM)
                    return oom(err);
                size_t field = r->nf - r->rfirst[r->nrec];
                unsigned long dline, col;
                locate(r->raw.data + r->cur_raw, r->raw.len - r->cur_raw, r->sep, field,
                       &dline, &col, NULL);
                return cx_error_set(err, CX_ESYNTAX, r->path, r->cur_line + dline, col,
                                    "expected a closing quote for the field that starts here, "
                                    "found the end of the file");
            }
            if (r->cb_status != CX_OK)
                return oom(err);
            break;
        }
        st = feed_line(r, s, n, err);
        if (st != CX_OK)
            return st;
        /* once the types are known, a record libcsv completed (one with a
         * quote) is converted at once, so that the direct path takes the
         * plain lines after it instead of leaving them to libcsv until the
         * block ends */
        if (r->eager && !r->in_record && r->nconv < r->nrec) {
            st = convert(r, err);
            if (st != CX_OK)
                return st;
            r->nconv = r->nrec;
        }
    }
    return CX_OK;
}

/* Forget the records of the block that was handed out, keeping a record
 * still in progress (possible only after a bare CR inside a line). */
static void reset_records(cx_csv_reader *r)
{
    size_t pf = r->rfirst[r->nrec];
    size_t keep = r->nf - pf;
    size_t fofs = keep ? r->fstart[pf] : r->fields.len;
    if (r->fields.len > fofs)
        memmove(r->fields.data, r->fields.data + fofs, r->fields.len - fofs);
    r->fields.len -= fofs;
    for (size_t k = 0; k < keep; k++)
        r->fstart[k] = r->fstart[pf + k] - fofs;
    r->nf = keep;
    size_t rofs = r->in_record ? r->cur_raw : r->raw.len;
    if (r->raw.len > rofs)
        memmove(r->raw.data, r->raw.data + rofs, r->raw.len - rofs);
    r->raw.len -= rofs;
    r->cur_raw = 0;
    r->nrec = 0;
    r->nconv = 0;
    r->rfirst[0] = 0;
    cx_table_clear_rows(r->block);
}

/* ======================================================================== */
/* Types                                                                    */
/* ======================================================================== */

static const char *field_text(const cx_csv_reader *r, size_t rec, size_t j, size_t *len)
{
    size_t f = r->rfirst[rec] + j;
    size_t start = r->fstart[f];
    size_t end = f + 1 < r->nf ? r->fstart[f + 1] : r->fields.len;
    *len = end - start - 1;
    return r->fields.data + start;
}

static cx_coltype forced_type(const cx_csv_reader *r, const char *name)
{
    for (size_t k = 0; k < r->ntypes; k++)
        if (strcmp(r->types[k].name, name) == 0)
            return r->types[k].type;
    return CX_COL_AUTO;
}

/* A header that names a period column: year, jaar, boekjaar, period or
 * periode, in any case.  Bare years ("2025") are numbers anywhere else. */
static int names_a_period(const char *name)
{
    static const char *const names[] = {"year", "jaar", "boekjaar", "period", "periode"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcasecmp(name, names[k]) == 0)
            return 1;
    return 0;
}

/* Record i holds the header's number of fields, or more with the extra
 * ones empty (Excel's trailing ";;"). */
static int extra_empty(const cx_csv_reader *r, size_t i)
{
    size_t nfields = r->rfirst[i + 1] - r->rfirst[i];
    if (nfields < r->ncols)
        return 0;
    for (size_t j = r->ncols; j < nfields; j++) {
        size_t n;
        field_text(r, i, j, &n);
        if (n)
            return 0;
    }
    return 1;
}

/* Infer each column's type and style from the records now held (the first
 * block), by cell.c's rules: periods when the header names a period column
 * (names_a_period) and every non-empty cell is a bare year (2025), numbers
 * (or amounts) when more than half of the non-empty cells are, periods when
 * more than half are periods or look like dates, text otherwise.  A column
 * that is mostly numbers or periods is typed so, and its odd cells are then
 * errors at their position instead of silently turning the whole column
 * into text.  Numbers written with the other decimal mark, and dates whose
 * order of day and month is unclear, are errors at their cell. */
static cx_status infer_types(cx_csv_reader *r, const char *const *names, cx_error *err)
{
    size_t rows = r->nrec < r->infer_rows ? r->nrec : r->infer_rows;
    for (size_t j = 0; j < r->ncols; j++) {
        cx_coltype type = forced_type(r, names[j]);
        if (type == CX_COL_AUTO)
            type = forced_type(r, r->fnames[j]);
        r->forced[j] = type != CX_COL_AUTO;
        cx_colguess g;
        memset(&g, 0, sizeof g);
        for (size_t i = 0; i < rows && type != CX_COL_TEXT; i++) {
            if (r->rfirst[i + 1] - r->rfirst[i] != r->ncols && !extra_empty(r, i))
                continue; /* reported when the block is converted */
            size_t n;
            const char *s = field_text(r, i, j, &n);
            if (n)
                cx_colguess_add(&g, &r->rules, s, n, i, r->rline[i]);
        }
        char msg[CX_ERROR_MSG_MAX];
        size_t at = 0;
        if (cx_colguess_decide(&g, &r->rules, r->fnames[j], names_a_period(r->fnames[j]), type, &type, &r->fmt[j],
                               &at, msg, sizeof msg) != CX_OK) {
            unsigned long line, col;
            record_pos(r, at, j, &line, &col);
            if (!(r->pending[j] = cx_calloc(1, sizeof(cx_error))))
                return oom(err);
            cx_error_set(r->pending[j], CX_ESYNTAX, r->path, line, col, "%s", msg);
        }
        cx_status st = cx_table_add_column(r->schema, names[j], type, NULL, err);
        if (st == CX_OK)
            st = cx_table_add_column(r->block, names[j], type, NULL, err);
        if (st == CX_OK && r->fmt[j].time_line && r->notes && r->range_start == 0) {
            /* said once, also when the file is read again (two halves that failed) */
            char note[CX_ERROR_MSG_MAX];
            snprintf(note, sizeof note, "%s: column '%s' holds dates with a time of day (line %lu: '%s'); the "
                     "times are ignored and each row counts for its day", r->path, r->fnames[j],
                     r->fmt[j].time_line, r->fmt[j].time_cell);
            size_t k = 0;
            while (k < cx_warnings_count(r->notes) && strcmp(cx_warnings_get(r->notes, k), note) != 0)
                k++;
            if (k == cx_warnings_count(r->notes) && cx_warnings_add(r->notes, "%s", note) != CX_OK)
                st = oom(err);
        }
        if (st != CX_OK)
            return st;
    }
    return CX_OK;
}

/* The error for record i with `nfields` fields where the header has ncols. */
static cx_status count_error(const cx_csv_reader *r, size_t i, size_t nfields, cx_error *err)
{
    unsigned long line, col;
    record_pos(r, i, nfields > r->ncols ? r->ncols : nfields, &line, &col);
    return cx_error_set(err, CX_ESYNTAX, r->path, line, col, "expected %zu fields as in the header, found %zu",
                        r->ncols, nfields);
}

/* Convert the text s[0..n) (trimmed, not empty) of column j of record i into
 * row `row` of the block, under the column's style (cell.c). */
static cx_status convert_cell(cx_csv_reader *r, size_t i, size_t row, size_t j, const char *s, size_t n,
                              cx_error *err)
{
    cx_coltype type = cx_table_coltype(r->block, j);
    char msg[CX_ERROR_MSG_MAX];
    cx_status st = CX_OK;
    if (type == CX_COL_NUMBER) {
        double v;
        st = cx_cell_number(&r->rules, &r->fmt[j], r->fnames[j], r->forced[j], s, n, r->rline[i], &v, msg, sizeof msg);
        if (st == CX_OK)
            cx_table_set_number(r->block, j, row, v);
    } else if (type == CX_COL_PERIOD) {
        cx_period p;
        st = cx_cell_period(&r->rules, &r->fmt[j], r->fnames[j], s, n, r->rline[i], &p, msg, sizeof msg);
        if (st == CX_OK)
            cx_table_set_period(r->block, j, row, p);
    } else if (cx_table_set_textn(r->block, j, row, s, n) != CX_OK) {
        return oom(err);
    }
    if (st == CX_ENOMEM)
        return oom(err);
    if (st != CX_OK) {
        unsigned long line, col;
        record_pos(r, i, j, &line, &col);
        return cx_error_set(err, st, r->path, line, col, "%s", msg);
    }
    return CX_OK;
}

/* Convert the held records not converted yet (from nconv on) into rows of
 * the block table. */
static cx_status convert(cx_csv_reader *r, cx_error *err)
{
    for (size_t j = 0; j < r->ncols; j++)
        if (r->pending[j] && !(r->skip && r->skip[j])) {
            if (err && err->status == CX_OK)
                *err = *r->pending[j];
            return r->pending[j]->status;
        }
    if (cx_table_reserve(r->block, r->nrec) != CX_OK)
        return oom(err);
    for (size_t i = r->nconv; i < r->nrec; i++) {
        size_t nfields = r->rfirst[i + 1] - r->rfirst[i];
        if (nfields != r->ncols && !extra_empty(r, i))
            return count_error(r, i, nfields, err);
        size_t row;
        if (cx_table_add_row(r->block, r->rline[i], &row) != CX_OK)
            return oom(err);
        for (size_t j = 0; j < r->ncols; j++) {
            if (r->skip && r->skip[j])
                continue; /* a column the caller does not read: left missing */
            size_t n;
            const char *s = field_text(r, i, j, &n);
            if (n == 0)
                continue; /* missing */
            cx_status st = convert_cell(r, i, row, j, s, n, err);
            if (st != CX_OK)
                return st;
        }
    }
    return CX_OK;
}

/* ======================================================================== */
/* Public API                                                               */
/* ======================================================================== */

void cx_csv_close(cx_csv_reader *r)
{
    if (!r)
        return;
    if (r->fp)
        fclose(r->fp);
    if (r->parser_ready)
        csv_free(&r->parser);
    for (size_t k = 0; k < r->ntypes; k++)
        cx_free((void *)r->types[k].name);
    cx_free(r->types);
    cx_free(r->buf);
    cx_buf_free(&r->conv);
    cx_buf_free(&r->fields);
    cx_buf_free(&r->raw);
    cx_free(r->fstart);
    cx_free(r->rfirst);
    cx_free(r->rline);
    cx_free(r->rraw);
    cx_free(r->span);
    cx_free(r->ctype);
    cx_table_free(r->schema);
    cx_table_free(r->block);
    cx_free(r->fmt);
    for (size_t j = 0; r->pending && j < r->ncols; j++)
        cx_free(r->pending[j]);
    cx_free(r->pending);
    for (size_t j = 0; r->fnames && j < r->ncols; j++)
        cx_free(r->fnames[j]);
    cx_free(r->fnames);
    for (size_t k = 0; k < r->nrenames; k++) {
        cx_free((void *)r->renames[k].from);
        cx_free((void *)r->renames[k].to);
    }
    cx_free(r->renames);
    cx_free(r->date_format);
    cx_free(r->forced);
    cx_free(r->skip);
    cx_free(r->path);
    cx_free(r);
}

/* Go to the start of the byte range, counting its line number unless the
 * caller gave it. */
static cx_status jump_to_range(cx_csv_reader *r, cx_error *err)
{
    if (r->range_line) {
        if (fseeko(r->fp, (off_t)r->range_start, SEEK_SET) != 0)
            return cx_error_set(err, CX_EIO, r->path, 0, 0, "cannot seek: %s", strerror(errno));
        r->len = r->pos = 0;
        r->eof = 0;
        r->bytes = r->range_start;
        r->line = r->range_line;
        return CX_OK;
    }
    if (fseek(r->fp, 0, SEEK_SET) != 0)
        return cx_error_set(err, CX_EIO, r->path, 0, 0, "cannot seek: %s", strerror(errno));
    unsigned long lines = 0;
    uint64_t done = 0;
    while (done < r->range_start) {
        size_t want = r->cap;
        if (done + want > r->range_start)
            want = (size_t)(r->range_start - done);
        size_t got = fread(r->buf, 1, want, r->fp);
        if (got == 0)
            return cx_error_set(err, CX_EIO, r->path, 0, 0, "the range starts past the end of the file");
        for (const unsigned char *q = r->buf, *e = r->buf + got; (q = memchr(q, '\n', (size_t)(e - q))) != NULL; q++)
            lines++;
        done += got;
    }
    r->len = r->pos = 0;
    r->eof = 0;
    r->bytes = r->range_start;
    r->line = lines + 1;
    return CX_OK;
}

/* A tokenising error stops the reading of a block, but the records before
 * it may hold a bad cell that comes earlier in the file: convert them, and
 * if one is bad, report that one (errors come in file order). */
static void earlier_error(cx_csv_reader *r, cx_error *err)
{
    if (!err || r->nrec == 0 || cx_table_ncols(r->block) != r->ncols)
        return;
    cx_error e;
    cx_error_init(&e);
    if (convert(r, &e) != CX_OK && e.status != CX_ENOMEM &&
        (e.line < err->line || (e.line == err->line && e.column < err->column)))
        *err = e;
}

/* Every column the user named for a type (--text code) is one of the file's,
 * by its own name or the new one, unless the list is one for several files
 * (the caller checks it over all of them). */
static cx_status required_types(cx_csv_reader *r, const char *const *names, unsigned long header_line,
                                cx_error *err)
{
    if (r->types_optional)
        return CX_OK;
    for (size_t k = 0; k < r->ntypes; k++) {
        if (!r->types[k].required)
            continue;
        size_t j = 0;
        while (j < r->ncols && strcmp(names[j], r->types[k].name) != 0 && strcmp(r->fnames[j], r->types[k].name) != 0)
            j++;
        if (j < r->ncols)
            continue;
        cx_buf b = {0};
        cx_status st = cx_suggest_text(&b, r->types[k].name, (const char *const *)r->fnames, r->ncols, "its columns");
        if (st == CX_OK)
            st = cx_error_set(err, CX_EINVAL, r->path, header_line, 0, "expected a column '%s' to read as %s, found none%s",
                              r->types[k].name, cx_coltype_name(r->types[k].type), b.data ? b.data : "");
        cx_buf_free(&b);
        return st == CX_ENOMEM ? oom(err) : st;
    }
    return CX_OK;
}

/* The names of the columns, given the header's texts in `names` (copies the
 * reader may change): spaces around them trimmed, kept as the file writes
 * them in r->fnames for messages, and renamed by the options' renames.
 * Runs while the header record is still held (for positions). */
static cx_status name_columns(cx_csv_reader *r, char **names, cx_error *err)
{
    if (!(r->fnames = cx_calloc(r->ncols + 1, sizeof(char *))))
        return oom(err);
    for (size_t j = 0; j < r->ncols; j++) {
        char *a = names[j], *b = a + strlen(a);
        while (*a == ' ' || *a == '\t')
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        memmove(names[j], a, (size_t)(b - a));
        names[j][b - a] = '\0';
        if (!(r->fnames[j] = cx_strdup(names[j])))
            return oom(err);
    }
    unsigned long header_line = r->rline[0], line, col;
    for (size_t k = 0; k < r->nrenames; k++) {
        const cx_csv_rename *rn = &r->renames[k];
        size_t j = 0, i = 0;
        while (j < r->ncols && strcmp(r->fnames[j], rn->from) != 0)
            j++;
        if (j == r->ncols) {
            if (r->renames_optional)
                continue;
            cx_buf b = {0};
            cx_status st = cx_suggest_text(&b, rn->from, (const char *const *)r->fnames, r->ncols, "its columns");
            if (st == CX_OK)
                st = cx_error_set(err, CX_EINVAL, r->path, header_line, 0,
                                  "expected a column '%s' to rename to '%s', found none%s", rn->from, rn->to,
                                  b.data ? b.data : "");
            cx_buf_free(&b);
            return st == CX_ENOMEM ? oom(err) : st;
        }
        /* the new name must be free: no other column has it (unless that
         * one is renamed too) and no other rename gives it */
        for (i = 0; i < r->ncols; i++)
            if (i != j && strcmp(names[i], rn->to) == 0)
                break;
        if (i < r->ncols) {
            record_pos(r, 0, j, &line, &col);
            return cx_error_set(err, CX_EINVAL, r->path, line, col,
                                "expected a new name for column '%s', found '%s', which is the name of %s column %zu; "
                                "rename that one too, or choose another name",
                                rn->from, rn->to, strcmp(r->fnames[i], rn->to) == 0 ? "its" : "the renamed", i + 1);
        }
        char *to = cx_strdup(rn->to);
        if (!to)
            return oom(err);
        if (r->renamed && r->range_start == 0)
            r->renamed[k] = 1;
        cx_free(names[j]);
        names[j] = to;
    }
    return required_types(r, (const char *const *)names, header_line, err);
}

/* Read and check the header, then read and type the first block. */
static cx_status read_header(cx_csv_reader *r, cx_error *err)
{
    cx_status st = fill(r, 1, err);
    if (st != CX_OK)
        return st;
    if (r->nrec == 0)
        return cx_error_set(err, CX_ESYNTAX, r->path, 1, 1,
                            "expected a header line, found an empty file");
    unsigned long header_line = r->rline[0];
    r->ncols = r->rfirst[1];
    /* Excel's trailing ";;": empty header fields after the last name */
    while (r->ncols > 1 && !field_text(r, 0, r->ncols - 1, &(size_t){0})[0])
        r->ncols--;
    const char **names = cx_calloc(r->ncols, sizeof(char *));
    if (!names)
        return oom(err);
    char found[64];
    /* duplicate names: a hash map of the names seen, so that a header of
     * 100,000 columns is checked in linear time */
    cx_strmap *seen = cx_strmap_new();
    if (!seen)
        st = oom(err);
    for (size_t j = 0; j < r->ncols && st == CX_OK; j++) {
        size_t n, k;
        int fresh;
        names[j] = field_text(r, 0, j, &n);
        unsigned long line, col;
        if (n == 0) {
            record_pos(r, 0, j, &line, &col);
            st = cx_error_set(err, CX_ESYNTAX, r->path, line, col,
                              "expected a column name in the header, found an empty field");
        } else if (cx_strmap_intern(seen, names[j], n, j, &k, &fresh, NULL) != CX_OK)
            st = oom(err);
        else if (!fresh) {
            unsigned long l0, c0;
            record_pos(r, 0, k, &l0, &c0);
            record_pos(r, 0, j, &line, &col);
            st = cx_error_set(err, CX_EINVAL, r->path, line, col,
                              "expected unique column names, found '%s' again (first at "
                              "column %lu)",
                              excerpt(names[j], n, found, sizeof found), c0);
        }
    }
    cx_strmap_free(seen);
    /* copy the names: the field buffer is reused */
    char **copies = cx_calloc(r->ncols, sizeof(char *));
    if (st == CX_OK && !copies)
        st = oom(err);
    for (size_t j = 0; j < r->ncols && st == CX_OK; j++)
        if (!(copies[j] = cx_strdup(names[j])))
            st = oom(err);
    cx_free(names);
    if (st == CX_OK)
        st = name_columns(r, copies, err);
    cx_status tok = CX_OK;
    if (st == CX_OK) {
        reset_records(r);
        if (r->range_start > 0)
            st = jump_to_range(r, err);
    }
    if (st == CX_OK) {
        tok = fill(r, r->block_rows, err);
        if (tok != CX_OK && (tok == CX_ENOMEM || tok == CX_EIO || r->nrec == 0))
            st = tok;
    }
    if (st == CX_OK && r->nrec == 0)
        st = cx_error_set(err, CX_ESYNTAX, r->path, header_line + 1, 1,
                          "expected data rows after the header, found the end of the file");
    if (st == CX_OK) {
        r->fmt = cx_calloc(r->ncols, sizeof(cx_colfmt));
        r->pending = cx_calloc(r->ncols, sizeof(cx_error *));
        r->forced = cx_calloc(r->ncols, 1);
        r->span = cx_calloc(2 * r->ncols, sizeof(size_t));
        r->ctype = cx_calloc(r->ncols, sizeof(cx_coltype));
        if (!r->fmt || !r->pending || !r->forced || !r->span || !r->ctype)
            st = oom(err);
    }
    if (st == CX_OK) {
        cx_error scratch;
        cx_error_init(&scratch);
        /* with a tokenising error pending, type what was read before it */
        st = infer_types(r, (const char *const *)copies, tok == CX_OK ? err : &scratch);
        if (tok != CX_OK) {
            earlier_error(r, err);
            st = err ? err->status : tok;
        }
    }
    for (size_t j = 0; copies && j < r->ncols; j++)
        cx_free(copies[j]);
    cx_free(copies);
    if (st == CX_OK) {
        for (size_t j = 0; j < r->ncols; j++) {
            r->ctype[j] = cx_table_coltype(r->block, j);
            if (r->ctype[j] == CX_COL_NUMBER && r->fmt[j].percent)
                r->ctype[j] = CX_COL_AUTO; /* not the direct path's plain numbers: convert_cell */
        }
        r->cls_sep[(unsigned char)r->sep] = 1;
        memcpy(r->cls_all, r->cls_sep, sizeof r->cls_all);
        r->cls_all['\0'] = r->cls_all['"'] = r->cls_all['\r'] = 2;
        memset(r->cls_all + 0x80, 2, 0x80);
    }
    r->header_done = st == CX_OK;
    return st;
}

/* The options of issue 13 (dates, renames, notes), copied: the reader
 * outlives the caller's strings. */
static cx_status copy_options(cx_csv_reader *r, const cx_csv_options *opt, cx_error *err)
{
    if (opt->date_format) {
        if (!cx_date_format_valid(opt->date_format))
            return cx_error_set(err, CX_EUSAGE, NULL, 0, 0,
                                "expected a date format with a day, a month and a year (%%d, %%m and %%Y, as "
                                "in %%d-%%m-%%Y), found '%s'", opt->date_format);
        if (!(r->date_format = cx_strdup(opt->date_format)))
            return oom(err);
    }
    if (opt->nrenames && !(r->renames = cx_calloc(opt->nrenames, sizeof(cx_csv_rename))))
        return oom(err);
    r->nrenames = opt->nrenames;
    for (size_t k = 0; k < opt->nrenames; k++)
        if (!(r->renames[k].from = cx_strdup(opt->renames[k].from)) ||
            !(r->renames[k].to = cx_strdup(opt->renames[k].to)))
            return oom(err);
    r->renames_optional = opt->renames_optional;
    r->types_optional = opt->types_optional;
    r->renamed = opt->renamed;
    r->notes = opt->notes;
    return CX_OK;
}

cx_status cx_csv_open(const char *path, const cx_csv_options *opt, cx_csv_reader **out,
                      cx_error *err)
{
    *out = NULL;
    cx_csv_options defaults;
    memset(&defaults, 0, sizeof defaults);
    if (!opt)
        opt = &defaults;
    if (opt->sep && opt->sep != ',' && opt->sep != ';' && opt->sep != '\t')
        return cx_error_set(err, CX_EUSAGE, NULL, 0, 0,
                            "the separator must be ',', ';' or tab, not '%c'", opt->sep);
    if (opt->decimal && opt->decimal != '.' && opt->decimal != ',')
        return cx_error_set(err, CX_EUSAGE, NULL, 0, 0,
                            "the decimal mark must be '.' or ',', not '%c'", opt->decimal);
    cx_csv_reader *r = cx_calloc(1, sizeof *r);
    if (!r)
        return oom(err);
    cx_status st = CX_OK;
    r->sep = opt->sep;
    r->decimal = opt->decimal;
    r->decimal_forced = opt->decimal != 0;
    r->encoding = opt->encoding;
    r->block_rows = opt->block_rows ? opt->block_rows : DEFAULT_BLOCK_ROWS;
    r->next_rows = opt->block_rows ? opt->block_rows : DEFAULT_NEXT_ROWS;
    r->range_start = opt->range_start;
    r->range_end = opt->range_end;
    r->range_line = opt->range_line;
    r->infer_rows = opt->infer_rows ? opt->infer_rows : r->block_rows;
    r->line = 1;
    r->max_line = cx_limits_get().max_line;
    int from_stdin = strcmp(path, "-") == 0;
    const char *name = opt->name ? opt->name : from_stdin ? "<stdin>" : path;
    r->path = cx_strdup(name);
    r->schema = cx_table_new(name);
    r->block = cx_table_new(name);
    r->rfirst = cx_calloc(16, sizeof(size_t));
    r->rline = cx_calloc(16, sizeof(unsigned long));
    r->rraw = cx_calloc(16, sizeof(size_t));
    r->rcap = 16;
    if (!r->path || !r->schema || !r->block || !r->rfirst || !r->rline || !r->rraw) {
        st = oom(err);
        goto fail;
    }
    if (opt->ntypes) {
        r->types = cx_calloc(opt->ntypes, sizeof(cx_csv_coltype));
        if (!r->types) {
            st = oom(err);
            goto fail;
        }
        for (size_t k = 0; k < opt->ntypes; k++, r->ntypes++) {
            r->types[k].type = opt->types[k].type;
            r->types[k].required = opt->types[k].required;
            if (!(r->types[k].name = cx_strdup(opt->types[k].name))) {
                st = oom(err);
                goto fail;
            }
        }
    }
    st = copy_options(r, opt, err);
    if (st != CX_OK)
        goto fail;
    if (from_stdin) {
        int fd = dup(STDIN_FILENO);
        if (fd < 0 || !(r->fp = fdopen(fd, "rb"))) {
            st = cx_error_set(err, CX_ENOENT, name, 0, 0, "cannot open: %s", strerror(errno));
            if (fd >= 0)
                close(fd);
            goto fail;
        }
    } else if ((st = cx_input_check(path, name, NULL, err)) != CX_OK) {
        goto fail; /* a directory or a device: never opened */
    } else if (!(r->fp = fopen(path, "rb"))) {
        st = cx_error_set(err, CX_ENOENT, name, 0, 0, "cannot open: %s", strerror(errno));
        goto fail;
    }
    st = read_header(r, err);
    if (st != CX_OK)
        goto fail;
    *out = r;
    return CX_OK;
fail:
    cx_csv_close(r);
    return st;
}

const cx_table *cx_csv_schema(const cx_csv_reader *r)
{
    return r->schema;
}

char cx_csv_sep(const cx_csv_reader *r)
{
    return r->sep;
}

uint64_t cx_csv_bytes_read(const cx_csv_reader *r)
{
    return r->bytes;
}

cx_status cx_csv_next(cx_csv_reader *r, const cx_table **block, cx_error *err)
{
    *block = NULL;
    if (!r->header_done)
        return cx_error_set(err, CX_EUSAGE, r->path, 0, 0, "the reader failed earlier");
    cx_status st = CX_OK;
    if (r->handed) {
        reset_records(r);
        r->handed = 0;
        r->eager = 1; /* the types are known from the first block on */
        st = fill(r, r->next_rows, err);
        if (st != CX_OK && st != CX_ENOMEM && st != CX_EIO)
            earlier_error(r, err);
        if (st != CX_OK && err)
            st = err->status;
    }
    if (st == CX_OK && r->nrec == 0) {
        cx_table_clear_rows(r->block);
        return CX_OK;
    }
    if (st == CX_OK)
        st = convert(r, err);
    if (st != CX_OK) {
        r->header_done = 0;
        return st;
    }
    /* the records stay until the next call, for cx_csv_cell_error */
    r->handed = 1;
    *block = r->block;
    return CX_OK;
}

int cx_csv_split_point(const char *path, uint64_t min_bytes, uint64_t *mid)
{
    if (!cx_input_regular(path))
        return 0; /* a pipe is read once, front to back (opening it would wait for a writer) */
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    int ok = 0;
    if (fseeko(fp, 0, SEEK_END) == 0) {
        off_t size = ftello(fp);
        if (size > 0 && (uint64_t)size >= min_bytes && fseeko(fp, size / 2, SEEK_SET) == 0) {
            /* the next line end, within the longest line a reader accepts:
             * without one there (a 2 GB line) the file is not split, and the
             * reader reports the line */
            uint64_t at = (uint64_t)size / 2, limit = at + cx_limits_get().max_line;
            char buf[65536];
            size_t got;
            while (!ok && at < limit && (got = fread(buf, 1, sizeof buf, fp)) > 0) {
                const char *nl = memchr(buf, '\n', got);
                if (nl) {
                    *mid = at + (uint64_t)(nl - buf) + 1;
                    ok = *mid < (uint64_t)size;
                    break;
                }
                at += got;
            }
        }
    }
    fclose(fp);
    return ok;
}

/* Write all of buf[0..n) to fd; 0 or an errno. */
static int write_all(int fd, const unsigned char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : EIO;
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

cx_status cx_csv_spool(const char *path, const char *name, int *fd, char **spool, cx_error *err)
{
    *fd = -1;
    *spool = NULL;
    int out;
    char proc[32];
    cx_status st0 = cx_scratch_open(name, &out, proc, err);
    if (st0 != CX_OK)
        return st0;
    int in = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY);
    cx_status st = CX_OK;
    if (in < 0)
        st = cx_error_set(err, CX_ENOENT, name, 0, 0, "cannot open: %s", strerror(errno));
    unsigned char *buf = st == CX_OK ? cx_malloc(CHUNK) : NULL;
    if (st == CX_OK && !buf)
        st = oom(err);
    size_t run = 0; /* bytes since the last line end */
    unsigned long line = 1;
    while (st == CX_OK) {
        ssize_t got = read(in, buf, CHUNK);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            st = cx_error_set(err, CX_EIO, name, 0, 0, "read failed: %s", strerror(errno));
        if (got <= 0)
            break;
        for (const unsigned char *p = buf, *e = buf + got; p < e;) {
            const unsigned char *nl = memchr(p, '\n', (size_t)(e - p));
            run += (size_t)((nl ? nl : e) - p);
            if (run > cx_limits_get().max_line) {
                char lim[48];
                st = cx_error_set(err, CX_ESYNTAX, name, line, 1,
                                  "expected a line of at most %s (raise the limit with --max-line), found a "
                                  "longer one",
                                  cx_size_text(cx_limits_get().max_line, lim, sizeof lim));
                break;
            }
            if (!nl)
                break;
            run = 0;
            line++;
            p = nl + 1;
        }
        int e = st == CX_OK ? write_all(out, buf, (size_t)got) : 0;
        if (e)
            st = cx_error_set(err, CX_EIO, name, 0, 0, "cannot make a temporary copy of the pipe: %s", strerror(e));
    }
    cx_free(buf);
    if (in >= 0)
        close(in);
    if (st == CX_OK && !(*spool = cx_strdup(proc)))
        st = oom(err);
    if (st != CX_OK) {
        close(out);
        return st;
    }
    *fd = out;
    return CX_OK;
}

int cx_csv_set_range_end(cx_csv_reader *r, uint64_t end)
{
    if (end == r->range_end)
        return 1;
    if (end == 0 || r->bytes > end)
        return 0; /* a wider range than the one read, or read past it */
    r->range_end = end;
    return 1;
}

cx_status cx_csv_skip_columns(cx_csv_reader *r, const unsigned char *skip, cx_error *err)
{
    if (!r->skip && !(r->skip = cx_calloc(r->ncols + 1, 1)))
        return oom(err);
    memcpy(r->skip, skip, r->ncols);
    return CX_OK;
}

cx_status cx_csv_cell_error(const cx_csv_reader *r, size_t row, size_t col, cx_error *err,
                            cx_status status, const char *fmt, ...)
{
    unsigned long line = 0, column = 0;
    if (r->handed && row < r->nrec && col < r->ncols)
        record_pos(r, row, col, &line, &column);
    char msg[CX_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cx_error_set(err, status, r->path, line, column, "%s", msg);
}

cx_status cx_csv_read(const char *path, const cx_csv_options *opt, cx_table **out,
                      cx_error *err)
{
    *out = NULL;
    cx_csv_reader *r = NULL;
    cx_status st = cx_csv_open(path, opt, &r, err);
    if (st != CX_OK)
        return st;
    const cx_table *schema = cx_csv_schema(r);
    cx_table *t = cx_table_new(r->path); /* the input's name ("<stdin>", opt->name) */
    if (!t) {
        st = oom(err);
        goto fail;
    }
    for (size_t j = 0; j < cx_table_ncols(schema); j++) {
        st = cx_table_add_column(t, cx_table_colname(schema, j), cx_table_coltype(schema, j),
                                 NULL, err);
        if (st != CX_OK)
            goto fail;
    }
    for (;;) {
        const cx_table *b;
        st = cx_csv_next(r, &b, err);
        if (st != CX_OK)
            goto fail;
        if (!b)
            break;
        if (cx_table_append_rows(t, b, NULL, cx_table_nrows(b), NULL) != CX_OK) {
            st = oom(err);
            goto fail;
        }
    }
    cx_csv_close(r);
    *out = t;
    return CX_OK;
fail:
    cx_table_free(t);
    cx_csv_close(r);
    return st;
}

/* ======================================================================== */
/* Positions of cells in tables read earlier                                */
/* ======================================================================== */

/* Re-read the table's source file to find the column of a cell: the join
 * reports bad keys long after the reader is gone.  Cheap (department exports
 * are small) and only on the error path. */
cx_status cx_table_locate(const cx_table *t, size_t col, size_t row, unsigned long *line,
                          unsigned long *column)
{
    *line = cx_table_line(t, row);
    *column = 0;
    if (*line == 0 || !cx_input_regular(cx_table_source(t)))
        return CX_OK; /* a pipe cannot be read again: the line alone */
    FILE *fp = fopen(cx_table_source(t), "rb");
    if (!fp)
        return CX_OK;
    cx_buf rec = {0};
    char sep = 0;
    unsigned long ln = 0;
    char *buf = NULL;
    size_t cap = 0;
    ssize_t got;
    while ((got = getline(&buf, &cap, fp)) > 0) {
        ln++;
        const char *s = buf;
        size_t n = (size_t)got;
        if (ln == 1) {
            if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
                s += 3, n -= 3;
            sep = detect_sep((const unsigned char *)s, n);
        }
        if (ln >= *line) {
            cx_buf_append(&rec, s, n);
            /* stop when the record's quotes are balanced */
            size_t quotes = 0;
            for (size_t i = 0; i < rec.len; i++)
                quotes += rec.data[i] == '"';
            if (quotes % 2 == 0 || rec.len > (1u << 20))
                break;
        }
    }
    free(buf);
    fclose(fp);
    if (rec.len) {
        unsigned long dline, c;
        locate(rec.data, rec.len, sep, col, &dline, &c, NULL);
        *line += dline;
        *column = c;
    }
    cx_buf_free(&rec);
    return CX_OK;
}
