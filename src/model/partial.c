/*
 * partial.c - partial fits, for data that live in several places, and their
 * merge into the model one fit of all the rows gives.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multifit.h>

#include "../core/jsonin.h"
#include "fit_internal.h"

static cx_status oom(cx_error *err)
{
    return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

static cx_status gsl_fail(cx_error *err, int status, const char *what)
{
    return cx_error_set(err, CX_ENUMERIC, NULL, 0, 0, "%s failed: %s", what, gsl_strerror(status));
}

/* ======================================================================== */
/* Partial fits and their merge                                             */
/* ======================================================================== */

/*
 * A partial fit keeps, per equation, the R factor and Q'y of the partition's
 * rows (with every level of each C(x) term as a column, so that partitions
 * with different levels fit together) and the sum of squares of the part of
 * y outside the columns' span, ||y||^2 - ||Q'y||^2: for any coefficients b,
 * ||y - Xb||^2 = ||Q'y - Rb||^2 + that rest, whatever the rank of X.
 */
static cJSON *numarr(const double *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
    return a;
}

/* The minimum-norm least-squares solution of R b = qtb (p x p), by GSL's
 * truncated SVD; 0 on success. */
static int partition_solution(const gsl_matrix *Rw, const gsl_vector *qw, double *b)
{
    size_t p = Rw->size1, rank = 0;
    gsl_matrix *R = gsl_matrix_calloc(p, p), *cov = gsl_matrix_alloc(p, p);
    gsl_vector *c = gsl_vector_alloc(p);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(p, p);
    double chisq;
    int status = R && cov && c && w ? 0 : GSL_ENOMEM;
    for (size_t i = 0; !status && i < p; i++)
        for (size_t j = i; j < p; j++)
            gsl_matrix_set(R, i, j, gsl_matrix_get(Rw, i, j));
    if (!status)
        status = gsl_multifit_linear_tsvd(R, qw, 1e-12, c, cov, &chisq, &rank, w);
    for (size_t j = 0; !status && j < p; j++)
        b[j] = gsl_vector_get(c, j);
    gsl_matrix_free(R);
    gsl_matrix_free(cov);
    gsl_vector_free(c);
    if (w)
        gsl_multifit_linear_free(w);
    return status;
}

/* Per unit, the moments a clustered covariance needs once the coefficients
 * are known: sum w x x' (upper triangle, row by row), sum w x (y - x'b) at
 * this partition's own least-squares solution b (so that the merge, which
 * subtracts sum w x x' (beta - b), loses no digits to cancellation), the
 * sum of w x error variance of each term measured with error, and the row
 * count.  A pass of its own over the rows; written as "units": [{"key",
 * "m"}] beside "b". */
static cx_status unit_moments(fitctx *c, const double *bk, cJSON *o, cx_error *err)
{
    size_t p = c->p, m = c->nme, per = p * (p + 1) / 2 + p + m + 1, cap = 0, nu = 0;
    double *acc = NULL;
    cx_status st = cx_source_rewind(c->src, err);
    cx_design_begin_pass(c->d);
    while (st == CX_OK) {
        const cx_table *b;
        st = cx_source_next(c->src, &b, err);
        if (st != CX_OK || !b)
            break;
        for (size_t i = 0; i < cx_table_nrows(b) && st == CX_OK; i++) {
            double y, w;
            size_t unit;
            int r = cx_design_row(c->d, b, i, c->x, &y, &w, &unit, &st, err);
            if (r != 1)
                continue;
            if (unit >= nu) {
                if (cx_grow((void **)&acc, &cap, (unit + 1) * per, sizeof(double)) != CX_OK) {
                    st = oom(err);
                    break;
                }
                memset(acc + nu * per, 0, (unit + 1 - nu) * per * sizeof(double));
                nu = unit + 1;
            }
            double *a = acc + unit * per;
            size_t k = 0;
            for (size_t j = 0; j < p; j++)
                for (size_t l = j; l < p; l++)
                    a[k++] += w * c->x[j] * c->x[l];
            long double fit = 0;
            for (size_t j = 0; j < p; j++)
                fit += (long double)c->x[j] * bk[j];
            double e = (double)((long double)y - fit);
            for (size_t j = 0; j < p; j++)
                a[k++] += w * c->x[j] * e;
            for (size_t j = 0; j < m; j++)
                a[k++] += w * cx_design_me_var(c->d, j);
            a[k] += 1;
        }
    }
    cJSON *units = st == CX_OK ? cJSON_AddArrayToObject(o, "units") : NULL;
    for (size_t u = 0; units && u < nu; u++) {
        cJSON *x = cJSON_CreateObject(), *key = cJSON_CreateArray();
        cJSON_AddItemToArray(units, x);
        cJSON_AddItemToObject(x, "key", key);
        size_t len;
        const char *kt = cx_design_unit_key(c->d, u, &len);
        for (size_t off = 0; off < len; off += strlen(kt + off) + 1)
            cJSON_AddItemToArray(key, cJSON_CreateString(kt + off));
        cJSON_AddItemToObject(x, "m", numarr(acc + u * per, per));
    }
    cx_free(acc);
    return st;
}

static cx_status partial_equation(const cx_spec *spec, size_t eqi, cx_source *src, const cx_fit_options *opt,
                                  cJSON *arr, cx_error *err)
{
    const cx_eqspec *es = &spec->eq[eqi];
    fitctx c;
    memset(&c, 0, sizeof c);
    c.src = src;
    gsl_multilarge_linear_workspace *ls = NULL;
    double *row = NULL;
    cx_status st = CX_OK;
    if (es->method != CX_METHOD_OLS || (opt && opt->holdout))
        return cx_error_set(err, CX_EUSAGE, spec->file, 0, 0,
                            "equation '%s': partial fits are least squares without holdout", es->name);
    if (es->weights && strcmp(es->weights, "precision") == 0 && !(es->tau2 == 0))
        return cx_error_set(err, CX_EUSAGE, spec->file, 0, 0,
                            "equation '%s': tau2 by REML needs all the rows at once, which partial fits do "
                            "not keep; fix \"tau2\" (0 is the fixed-effect weighting 1/SE^2)",
                            es->name);
    st = cx_design_new(spec, eqi, src->schema, &c.d, err);
    if (st == CX_OK) {
        cx_design_set_full(c.d);
        st = cx_design_levels(c.d, src, err);
    }
    if (st != CX_OK)
        goto done;
    size_t p = c.p = cx_design_ncols(c.d), nin = cx_design_ninputs(c.d);
    c.chunk = opt && opt->block_rows ? opt->block_rows : CHUNK_ROWS;
    if (c.chunk < p + 1)
        c.chunk = p + 1;
    c.X = gsl_matrix_alloc(c.chunk, p);
    c.yv = gsl_vector_alloc(c.chunk);
    c.x = cx_calloc(p + 1, sizeof(double));
    c.colsum = cx_calloc(p + 1, sizeof(double));
    c.rmin = cx_calloc(nin + 1, sizeof(double));
    c.rmax = cx_calloc(nin + 1, sizeof(double));
    c.rsum = cx_calloc(nin + 1, sizeof(long double));
    c.nme = cx_design_nme(c.d);
    c.me_col = cx_calloc(c.nme + 1, sizeof(size_t));
    c.me_sum = cx_calloc(c.nme + 1, sizeof(double));
    for (size_t k = 0; c.me_col && k < c.nme; k++)
        c.me_col[k] = cx_design_me_col(c.d, k);
    row = cx_calloc(p + 1, sizeof(double));
    ls = gsl_multilarge_linear_alloc(gsl_multilarge_linear_tsqr, p);
    if (!c.X || !c.yv || !c.x || !c.colsum || !c.rmin || !c.rmax || !c.rsum || !c.me_col || !c.me_sum || !row || !ls) {
        st = oom(err);
        goto done;
    }
    for (size_t k = 0; k < nin; k++) {
        c.rmin[k] = INFINITY;
        c.rmax[k] = -INFINITY;
    }
    st = cx_fit_pass1(&c, ls, err);
    if (st != CX_OK)
        goto done;
    if (c.n < (double)p) {
        st = cx_error_set(err, CX_EINVAL, spec->file, 0, 0,
                          "equation '%s': a partition needs at least as many rows as columns, found %.0f "
                          "rows for %zu columns",
                          es->name, c.n, p);
        goto done;
    }
    const gsl_matrix *Rw = gsl_multilarge_linear_matrix_ptr(ls);
    const gsl_vector *qw = gsl_multilarge_linear_rhs_ptr(ls);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToArray(arr, o);
    cJSON_AddStringToObject(o, "target", es->target);
    cJSON *cols = cJSON_AddArrayToObject(o, "columns");
    for (size_t j = 0; j < p; j++)
        cJSON_AddItemToArray(cols, cJSON_CreateString(cx_design_colname(c.d, j)));
    cJSON *R = cJSON_AddArrayToObject(o, "R");
    for (size_t i = 0; i < p; i++) {
        for (size_t j = 0; j < p; j++)
            row[j] = j >= i ? gsl_matrix_get(Rw, i, j) : 0.0;
        cJSON_AddItemToArray(R, numarr(row, p));
    }
    double q2 = 0;
    for (size_t j = 0; j < p; j++) {
        row[j] = gsl_vector_get(qw, j);
        q2 += row[j] * row[j];
    }
    cJSON_AddItemToObject(o, "qtb", numarr(row, p));
    cJSON_AddNumberToObject(o, "rest_ss", fmax(0.0, (double)c.sumwy2 - q2));
    cJSON_AddNumberToObject(o, "n", c.n);
    cJSON_AddNumberToObject(o, "n_dropped", c.ndropped);
    cJSON_AddNumberToObject(o, "sumw", c.sumw);
    cJSON_AddNumberToObject(o, "sumlogw", c.sumlogw);
    cJSON_AddNumberToObject(o, "ymean", c.ymean);
    cJSON_AddNumberToObject(o, "ym2", c.ym2);
    cJSON_AddNumberToObject(o, "sumwy2", (double)c.sumwy2);
    cJSON_AddItemToObject(o, "colsum", numarr(c.colsum, p));
    if (c.nme)
        cJSON_AddItemToObject(o, "me_sum", numarr(c.me_sum, c.nme));
    cJSON *in = cJSON_AddArrayToObject(o, "inputs");
    for (size_t k = 0; k < nin; k++) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddItemToArray(in, r);
        cJSON_AddStringToObject(r, "name", cx_design_input_name(c.d, k));
        cJSON_AddNumberToObject(r, "min", c.rmin[k]);
        cJSON_AddNumberToObject(r, "max", c.rmax[k]);
        cJSON_AddNumberToObject(r, "sum", (double)c.rsum[k]);
    }
    if (cx_design_has_units(c.d)) {
        /* b: least squares R b = Q'y by truncated SVD, since the full coding
         * (every level a column, no intercept) is rank-deficient with two
         * factors; any b with accurate fitted values serves (the merge is
         * exact for every b), and 0 when GSL fails */
        if (partition_solution(Rw, qw, row) != 0)
            memset(row, 0, p * sizeof(double));
        cJSON_AddItemToObject(o, "b", numarr(row, p));
        st = unit_moments(&c, row, o, err);
    }
done:
    cx_design_free(c.d);
    gsl_matrix_free(c.X);
    gsl_vector_free(c.yv);
    cx_free(c.x);
    cx_free(c.colsum);
    cx_free(c.rmin);
    cx_free(c.rmax);
    cx_free(c.rsum);
    cx_free(c.me_col);
    cx_free(c.me_sum);
    cx_free(row);
    if (ls)
        gsl_multilarge_linear_free(ls);
    return st;
}

static cx_status partial_all(const cx_spec *spec, cx_source *src, const cx_fit_options *opt, const char *data,
                             char **json, cx_error *err)
{
    *json = NULL;
    cJSON *doc = cJSON_CreateObject();
    if (!doc)
        return oom(err);
    cJSON_AddNumberToObject(doc, "cxcase_partial", 1);
    cJSON_AddStringToObject(doc, "tool", "cxcase " CX_VERSION);
    cJSON_AddStringToObject(doc, "spec_file", spec->file);
    cJSON_AddStringToObject(doc, "spec", spec->text);
    cJSON_AddStringToObject(doc, "data", data);
    cJSON *schema = cJSON_AddArrayToObject(doc, "schema");
    for (size_t j = 0; j < cx_table_ncols(src->schema); j++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddItemToArray(schema, c);
        cJSON_AddStringToObject(c, "name", cx_table_colname(src->schema, j));
        cJSON_AddStringToObject(c, "type", cx_coltype_name(cx_table_coltype(src->schema, j)));
    }
    cJSON *eqs = cJSON_AddArrayToObject(doc, "equations");
    cx_status st = CX_OK;
    for (size_t i = 0; i < spec->neq && st == CX_OK; i++)
        st = partial_equation(spec, i, src, opt, eqs, err);
    if (st == CX_OK) {
        char *s = cJSON_Print(doc);
        *json = s ? cx_strdup(s) : NULL;
        cJSON_free(s);
        if (!*json)
            st = oom(err);
    }
    cJSON_Delete(doc);
    return st;
}

cx_status cx_fit_partial_table(const cx_spec *spec, const cx_table *data, const cx_fit_options *opt, char **json,
                               cx_error *err)
{
    cx_source src;
    cx_status st = cx_source_table(&src, data, (const char *const *)spec->units, spec->nunits, err);
    if (st == CX_OK)
        st = partial_all(spec, &src, opt, cx_table_source(data), json, err);
    cx_source_close(&src);
    return st;
}

cx_status cx_fit_partial_csv(const cx_spec *spec, const char *path, const cx_csv_options *copt,
                             const cx_fit_options *opt, char **json, cx_error *err)
{
    cx_source src;
    cx_status st = cx_source_csv(&src, path, copt, err);
    if (st == CX_OK)
        st = partial_all(spec, &src, opt, path, json, err);
    cx_source_close(&src);
    return st;
}

/* ---- merging ------------------------------------------------------------ */

static double jget(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The levels of term `text` named in a partial's columns "text[level]". */
static cx_status collect_levels(const cJSON *cols, const char *text, char ***lv, size_t *n, size_t *cap)
{
    size_t tl = strlen(text);
    for (const cJSON *c = cols ? cols->child : NULL; c; c = c->next) {
        const char *s = cJSON_IsString(c) ? c->valuestring : "";
        size_t sl = strlen(s);
        if (sl < tl + 2 || strncmp(s, text, tl) != 0 || s[tl] != '[' || s[sl - 1] != ']')
            continue;
        char *name = cx_strndup(s + tl + 1, sl - tl - 2);
        if (!name)
            return CX_ENOMEM;
        int dup = 0;
        for (size_t k = 0; k < *n && !dup; k++)
            dup = strcmp((*lv)[k], name) == 0;
        if (dup) {
            cx_free(name);
            continue;
        }
        if (cx_grow((void **)lv, cap, *n + 1, sizeof(char *)) != CX_OK) {
            cx_free(name);
            return CX_ENOMEM;
        }
        (*lv)[(*n)++] = name;
    }
    return CX_OK;
}

static size_t name_index(cx_design *d, const char *name)
{
    for (size_t j = 0; j < cx_design_ncols(d); j++)
        if (strcmp(cx_design_colname(d, j), name) == 0)
            return j;
    return (size_t)-1;
}

/* The per-unit moments of the partial fits ("units"), one block per unit
 * and partition, in the union's columns Z (map: a partial's column to Z):
 * X'WX, the residual moments at the partition's b, its error-variance sums,
 * and b itself.  The merged fit turns them into the spec's coding. */
typedef struct unitacc {
    cx_strmap *keys;
    size_t n, nb, cap, capu, pu, m;
    double *z;     /* per block: pu x pu, pu, m, pu (b) */
    size_t *unit;  /* per block: its unit */
} unitacc;

static cx_status unit_add(unitacc *ua, const cJSON *units, const cJSON *b, const size_t *map, size_t pk,
                          const char *file, size_t eqi, cx_error *err)
{
    size_t pu = ua->pu, per = pu * pu + 2 * pu + ua->m, kper = pk * (pk + 1) / 2 + pk + ua->m + 1;
    cx_buf key = {0};
    cx_status st = CX_OK;
    cx_jpath p;
    cx_jpath_init(&p);
    cx_jpath_key(&p, "equations");
    cx_jpath_index(&p, eqi);
    if (units && (!cJSON_IsArray(b) || (size_t)cJSON_GetArraySize(b) != pk)) {
        cx_jpath_key(&p, "b");
        return cx_json_error(err, CX_EINVAL, file, &p, "expected the partition's solution, %zu numbers, beside its units", pk);
    }
    cx_jpath_key(&p, "units");
    size_t ui = 0;
    for (const cJSON *u = units ? units->child : NULL; u && st == CX_OK; u = u->next, ui++) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(u, "key"), *mm = cJSON_GetObjectItemCaseSensitive(u, "m");
        size_t up = cx_jpath_index(&p, ui);
        key.len = 0;
        for (const cJSON *t = k ? k->child : NULL; t && st == CX_OK; t = t->next)
            if (!cJSON_IsString(t) || cx_buf_append(&key, t->valuestring, strlen(t->valuestring) + 1) != CX_OK) {
                cx_jpath_key(&p, "key");
                st = cJSON_IsString(t) ? oom(err) : cx_json_error(err, CX_EINVAL, file, &p, "expected the unit's key as text");
            }
        if (st != CX_OK)
            break;
        if (!cJSON_IsArray(mm) || (size_t)cJSON_GetArraySize(mm) != kper) {
            cx_jpath_key(&p, "m");
            char found[64];
            if (cJSON_IsArray(mm))
                snprintf(found, sizeof found, "%d", cJSON_GetArraySize(mm));
            else
                cx_json_describe(mm, found, sizeof found);
            st = cx_json_error(err, CX_EINVAL, file, &p, "expected the unit's moments, %zu numbers, found %s", kper, found);
            break; /* the key's buffer is freed below */
        }
        size_t g;
        if (cx_strmap_intern(ua->keys, key.data ? key.data : "", key.len, ua->n, &g, NULL, NULL) != CX_OK ||
            cx_grow((void **)&ua->z, &ua->cap, (ua->nb + 1) * per, sizeof(double)) != CX_OK ||
            cx_grow((void **)&ua->unit, &ua->capu, ua->nb + 1, sizeof(size_t)) != CX_OK) {
            st = oom(err);
            break;
        }
        if (g == ua->n)
            ua->n++;
        ua->unit[ua->nb] = g;
        double *z = ua->z + ua->nb++ * per;
        memset(z, 0, per * sizeof(double));
        const cJSON *v = mm->child;
        for (size_t i = 0; i < pk; i++)
            for (size_t j = i; j < pk; j++, v = v->next) {
                z[map[i] * pu + map[j]] += v->valuedouble;
                if (map[i] != map[j])
                    z[map[j] * pu + map[i]] += v->valuedouble;
            }
        for (size_t i = 0; i < pk; i++, v = v->next)
            z[pu * pu + map[i]] += v->valuedouble;
        for (size_t i = 0; i < ua->m; i++, v = v->next)
            z[pu * pu + pu + i] += v->valuedouble;
        size_t i = 0;
        for (const cJSON *x = b->child; x && i < pk; x = x->next, i++)
            z[pu * pu + pu + ua->m + map[i]] = cJSON_IsNumber(x) ? x->valuedouble : 0;
        cx_jpath_pop(&p, up);
    }
    cx_buf_free(&key);
    return st;
}

/* The ranges of the inputs over every partition, by name. */
static cx_status merge_ranges(const cx_design *dt, const cJSON *const *eq, size_t np, merged_eq *mg, cx_error *err)
{
    size_t nin = cx_design_ninputs(dt);
    mg->rmin = cx_calloc(nin + 1, sizeof(double));
    mg->rmax = cx_calloc(nin + 1, sizeof(double));
    mg->rsum = cx_calloc(nin + 1, sizeof(double));
    if (!mg->rmin || !mg->rmax || !mg->rsum)
        return oom(err);
    for (size_t i = 0; i < nin; i++) {
        mg->rmin[i] = INFINITY;
        mg->rmax[i] = -INFINITY;
        for (size_t k = 0; k < np; k++) {
            const cJSON *in = cJSON_GetObjectItemCaseSensitive(eq[k], "inputs");
            for (const cJSON *r = in ? in->child : NULL; r; r = r->next) {
                const cJSON *nm = cJSON_GetObjectItemCaseSensitive(r, "name");
                if (!cJSON_IsString(nm) || strcmp(nm->valuestring, cx_design_input_name(dt, i)) != 0)
                    continue;
                mg->rmin[i] = fmin(mg->rmin[i], jget(r, "min"));
                mg->rmax[i] = fmax(mg->rmax[i], jget(r, "max"));
                mg->rsum[i] += jget(r, "sum");
            }
        }
    }
    return CX_OK;
}

/* The union of the levels of every C(x) term over the partitions, sorted. */
static cx_status merge_levels(const cx_eqspec *es, const cJSON *const *eq, size_t np, merged_eq *mg, cx_error *err)
{
    for (size_t t = 0; t < es->nterms; t++) {
        if (!cx_term_is_cat(&es->terms[t]))
            continue;
        size_t cap = 0;
        for (size_t k = 0; k < np; k++)
            if (collect_levels(cJSON_GetObjectItemCaseSensitive(eq[k], "columns"), es->terms[t].text, &mg->levels[t],
                               &mg->nlevels[t], &cap) != CX_OK)
                return oom(err);
        if (mg->nlevels[t]) /* qsort of a null array is undefined, even of 0 elements */
            qsort(mg->levels[t], mg->nlevels[t], sizeof(char *), cmp_cstr);
    }
    return CX_OK;
}

/* One partition into the merge: its [R | Q'y] stacked in S from row r0 in
 * the union's columns (dz), its column sums, error-variance sums and unit
 * moments added; *pk receives its number of columns. */
static cx_status merge_partition(const cJSON *eq, const char *name, size_t eqi, const cx_eqspec *es, cx_design *dz,
                                 gsl_matrix *S, size_t r0, double *colz, unitacc *ua, merged_eq *mg, size_t *pk_out,
                                 cx_error *err)
{
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(eq, "columns");
    const cJSON *R = cJSON_GetObjectItemCaseSensitive(eq, "R");
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(eq, "qtb");
    const cJSON *cs = cJSON_GetObjectItemCaseSensitive(eq, "colsum");
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(eq, "me_sum");
    size_t pk = (size_t)cJSON_GetArraySize(cols), pu = ua->pu;
    size_t *map = cx_calloc(pk + 1, sizeof(size_t));
    if (!map)
        return oom(err);
    for (size_t j = 0; j < pk; j++) {
        const cJSON *c = cJSON_GetArrayItem(cols, (int)j);
        map[j] = cJSON_IsString(c) ? name_index(dz, c->valuestring) : (size_t)-1;
        if (map[j] == (size_t)-1) {
            cx_free(map);
            return cx_error_set(err, CX_EINVAL, name, 0, 0, "equation '%s': unexpected column %s in the partial fit",
                                es->target, cJSON_IsString(c) ? c->valuestring : "?");
        }
    }
    for (size_t i = 0; i < pk; i++) {
        const cJSON *ri = cJSON_GetArrayItem(R, (int)i);
        for (size_t j = 0; j < pk; j++)
            gsl_matrix_set(S, r0 + i, map[j], cJSON_GetArrayItem(ri, (int)j) ? cJSON_GetArrayItem(ri, (int)j)->valuedouble : 0);
        gsl_matrix_set(S, r0 + i, pu, cJSON_GetArrayItem(q, (int)i) ? cJSON_GetArrayItem(q, (int)i)->valuedouble : 0);
        colz[map[i]] += cJSON_GetArrayItem(cs, (int)i) ? cJSON_GetArrayItem(cs, (int)i)->valuedouble : 0;
    }
    for (size_t i = 0; i < ua->m; i++)
        mg->me_sum[i] += cJSON_GetArrayItem(ms, (int)i) ? cJSON_GetArrayItem(ms, (int)i)->valuedouble : 0;
    cx_status st = unit_add(ua, cJSON_GetObjectItemCaseSensitive(eq, "units"), cJSON_GetObjectItemCaseSensitive(eq, "b"),
                            map, pk, name, eqi, err);
    cx_free(map);
    *pk_out = pk;
    return st;
}

/* The spec's treatment coding X_t = Z T: column j of T marks the columns
 * of the union's Z whose sum is column j of X_t (the intercept is the sum
 * of the first C(x) term's levels).  Fills Tm (pu x pt), the column sums,
 * and Mx = (the stacked R) T, upper rows. */
static void coding(const cx_eqspec *es, merged_eq *mg, cx_design *dz, cx_design *dt, const gsl_matrix *S,
                   const double *colz, unsigned char *Tm, gsl_matrix *Mx)
{
    size_t pu = cx_design_ncols(dz), pt = cx_design_ncols(dt), first_cat = (size_t)-1;
    for (size_t t = 0; t < es->nterms && first_cat == (size_t)-1; t++)
        if (mg->levels[t] && mg->nlevels[t] > 0)
            first_cat = t;
    for (size_t j = 0; j < pt; j++) {
        const char *nm = cx_design_colname(dt, j);
        for (size_t z = 0; z < pu; z++) {
            int use;
            if (strcmp(nm, "(Intercept)") == 0 && first_cat != (size_t)-1) {
                const char *zn = cx_design_colname(dz, z);
                size_t tl = strlen(es->terms[first_cat].text);
                use = strncmp(zn, es->terms[first_cat].text, tl) == 0 && zn[tl] == '[';
            } else
                use = strcmp(nm, cx_design_colname(dz, z)) == 0;
            if (!use)
                continue;
            Tm[z * pt + j] = 1;
            mg->colsum[j] += colz[z];
            for (size_t i = 0; i <= z && i < pu; i++)
                gsl_matrix_set(Mx, i, j, gsl_matrix_get(Mx, i, j) + gsl_matrix_get(S, i, z));
        }
    }
}

/* Merge equation `eqi` of the partial fits into *out. */
static cx_status merge_equation(const cx_spec *spec, size_t eqi, const cx_table *schema, cJSON **docs,
                                const char *const *names, size_t np, cx_equation **out, cx_error *err)
{
    const cx_eqspec *es = &spec->eq[eqi];
    merged_eq mg;
    memset(&mg, 0, sizeof mg);
    mg.schema = schema;
    cx_design *dz = NULL, *dt = NULL;
    gsl_matrix *S = NULL, *Mx = NULL;
    gsl_vector *tau = NULL, *tau2 = NULL;
    double *colz = NULL;
    unsigned char *Tm = NULL;
    unitacc ua;
    memset(&ua, 0, sizeof ua);
    cx_status st = CX_OK;
    const cJSON **eq = cx_calloc(np + 1, sizeof(cJSON *));
    mg.levels = cx_calloc(es->nterms + 1, sizeof(char **));
    mg.nlevels = cx_calloc(es->nterms + 1, sizeof(size_t));
    if (!eq || !mg.levels || !mg.nlevels) {
        st = oom(err);
        goto done;
    }
    for (size_t k = 0; k < np; k++) {
        eq[k] = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(docs[k], "equations"), (int)eqi);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(eq[k], "target");
        if (!cJSON_IsString(t) || strcmp(t->valuestring, es->target) != 0) {
            st = cx_error_set(err, CX_EINVAL, names[k], 0, 0, "expected a partial fit of equation '%s', found %s",
                              es->target, cJSON_IsString(t) ? t->valuestring : "none");
            goto done;
        }
    }
    if ((st = merge_levels(es, eq, np, &mg, err)) != CX_OK)
        goto done;
    /* the union design (every level a column) and the spec's design */
    st = cx_design_new(spec, eqi, schema, &dz, err);
    if (st == CX_OK)
        st = cx_design_new(spec, eqi, schema, &dt, err);
    if (st != CX_OK)
        goto done;
    cx_design_set_full(dz);
    for (size_t t = 0; t < es->nterms && st == CX_OK; t++)
        if (mg.levels[t]) {
            st = cx_design_set_levels(dz, t, (const char *const *)mg.levels[t], mg.nlevels[t], err);
            if (st == CX_OK)
                st = cx_design_set_levels(dt, t, (const char *const *)mg.levels[t], mg.nlevels[t], err);
        }
    if (st != CX_OK)
        goto done;
    size_t pu = cx_design_ncols(dz), pt = cx_design_ncols(dt), rows = 0;
    ua.pu = pu;
    ua.m = cx_design_nme(dt);
    ua.keys = cx_strmap_new();
    mg.me_sum = cx_calloc(ua.m + 1, sizeof(double));
    Tm = cx_calloc(pu * pt + 1, 1);
    if (!ua.keys || !mg.me_sum || !Tm) {
        st = oom(err);
        goto done;
    }
    for (size_t k = 0; k < np; k++)
        rows += (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(eq[k], "columns"));
    size_t srows = rows > pu + 1 ? rows : pu + 1;
    S = gsl_matrix_calloc(srows, pu + 1);
    tau = gsl_vector_alloc(pu + 1 < srows ? pu + 1 : srows);
    colz = cx_calloc(pu + 1, sizeof(double));
    if (!S || !tau || !colz) {
        st = oom(err);
        goto done;
    }
    /* stack [R_i | Q_i'y] of every partition in the union's columns; add up the moments */
    size_t r0 = 0;
    double restss = 0, sw = 0, m = 0, m2 = 0;
    for (size_t k = 0; k < np; k++) {
        size_t pk = 0;
        if ((st = merge_partition(eq[k], names[k], eqi, es, dz, S, r0, colz, &ua, &mg, &pk, err)) != CX_OK)
            goto done;
        r0 += pk;
        restss += jget(eq[k], "rest_ss");
        mg.n += jget(eq[k], "n");
        mg.ndropped += jget(eq[k], "n_dropped");
        mg.sumlogw += jget(eq[k], "sumlogw");
        mg.sumwy2 += jget(eq[k], "sumwy2");
        /* Chan et al.: combine weighted means and sums of squares */
        double wk = jget(eq[k], "sumw"), mk = jget(eq[k], "ymean"), m2k = jget(eq[k], "ym2");
        if (wk > 0) {
            double delta = mk - m, tot = sw + wk;
            m += delta * wk / tot;
            m2 += m2k + delta * delta * sw * wk / tot;
            sw = tot;
        }
    }
    mg.sumw = sw;
    mg.ymean = m;
    mg.ym2 = m2;
    int status = gsl_linalg_QR_decomp(S, tau);
    if (status) {
        st = gsl_fail(err, status, "merging the partial fits");
        goto done;
    }
    double rstack = pu < srows ? gsl_matrix_get(S, pu, pu) : 0;
    /* to the spec's treatment coding: X_t = Z T */
    Mx = gsl_matrix_calloc(pu > pt + 1 ? pu : pt + 1, pt + 1);
    tau2 = gsl_vector_alloc(pt + 1);
    mg.colsum = cx_calloc(pt + 1, sizeof(double));
    mg.R = gsl_matrix_calloc(pt, pt);
    mg.qtb = gsl_vector_alloc(pt);
    if (!Mx || !tau2 || !mg.colsum || !mg.R || !mg.qtb) {
        st = oom(err);
        goto done;
    }
    coding(es, &mg, dz, dt, S, colz, Tm, Mx);
    for (size_t i = 0; i < pu; i++)
        gsl_matrix_set(Mx, i, pt, gsl_matrix_get(S, i, pu));
    status = gsl_linalg_QR_decomp(Mx, tau2);
    if (status) {
        st = gsl_fail(err, status, "merging the partial fits");
        goto done;
    }
    for (size_t i = 0; i < pt; i++) {
        for (size_t j = i; j < pt; j++)
            gsl_matrix_set(mg.R, i, j, gsl_matrix_get(Mx, i, j));
        gsl_vector_set(mg.qtb, i, gsl_matrix_get(Mx, i, pt));
    }
    double rextra = pu > pt ? gsl_matrix_get(Mx, pt, pt) : 0;
    mg.rss = restss + rstack * rstack + rextra * rextra;
    if ((st = merge_ranges(dt, eq, np, &mg, err)) != CX_OK)
        goto done;
    mg.nunits = ua.n;
    mg.nblocks = ua.nb;
    mg.blk_unit = ua.unit;
    mg.blk = ua.z;
    mg.pu = pu;
    mg.Tm = Tm;
    st = cx_fit_equation(spec, eqi, NULL, NULL, &mg, out, err);
done:
    cx_strmap_free(ua.keys);
    cx_free(ua.z);
    cx_free(ua.unit);
    cx_free(Tm);
    cx_free(mg.me_sum);
    for (size_t t = 0; mg.levels && t < es->nterms; t++) {
        for (size_t k = 0; k < mg.nlevels[t]; k++)
            cx_free(mg.levels[t][k]);
        cx_free(mg.levels[t]);
    }
    cx_free(mg.levels);
    cx_free(mg.nlevels);
    cx_free(mg.colsum);
    cx_free(mg.rmin);
    cx_free(mg.rmax);
    cx_free(mg.rsum);
    gsl_matrix_free(mg.R);
    gsl_vector_free(mg.qtb);
    gsl_matrix_free(S);
    gsl_matrix_free(Mx);
    gsl_vector_free(tau);
    gsl_vector_free(tau2);
    cx_free(colz);
    cx_free(eq);
    cx_design_free(dz);
    cx_design_free(dt);
    return st;
}

cx_status cx_fit_merge(const char *const *texts, const char *const *names, size_t np, cx_model **out,
                       cx_warnings *warn, cx_error *err)
{
    *out = NULL;
    if (np == 0)
        return cx_error_set(err, CX_EUSAGE, NULL, 0, 0, "no partial fits to merge");
    cJSON **docs = cx_calloc(np, sizeof(cJSON *));
    cx_spec *spec = NULL;
    cx_table *schema = NULL;
    cx_model *m = NULL;
    cx_status st = docs ? CX_OK : oom(err);
    const char *spec_text = NULL, *spec_file = NULL;
    for (size_t k = 0; k < np && st == CX_OK; k++) {
        st = cx_json_parse(texts[k], strlen(texts[k]), names[k], &docs[k], err);
        if (st != CX_OK)
            break;
        const cJSON *mark = cJSON_GetObjectItemCaseSensitive(docs[k], "cxcase_partial");
        const cJSON *sp = cJSON_GetObjectItemCaseSensitive(docs[k], "spec");
        const cJSON *sf = cJSON_GetObjectItemCaseSensitive(docs[k], "spec_file");
        if (!cJSON_IsNumber(mark) || !cJSON_IsString(sp) || !cJSON_IsString(sf)) {
            st = cx_error_set(err, CX_EINVAL, names[k], 0, 0,
                              "expected a partial fit (written by cxcase fit --partial), found other JSON");
            break;
        }
        if (!spec_text) {
            spec_text = sp->valuestring;
            spec_file = sf->valuestring;
        } else if (strcmp(spec_text, sp->valuestring) != 0)
            st = cx_error_set(err, CX_EINVAL, names[k], 0, 0,
                              "expected partial fits of one model specification, found a different "
                              "specification than in '%s'",
                              names[0]);
    }
    if (st == CX_OK)
        st = cx_spec_parse(spec_text, strlen(spec_text), spec_file, &spec, err);
    if (st == CX_OK) {
        /* the columns of the data, for the design */
        schema = cx_table_new(cJSON_GetObjectItemCaseSensitive(docs[0], "data") &&
                                      cJSON_IsString(cJSON_GetObjectItemCaseSensitive(docs[0], "data"))
                                  ? cJSON_GetObjectItemCaseSensitive(docs[0], "data")->valuestring
                                  : names[0]);
        if (!schema)
            st = oom(err);
        for (const cJSON *c = cJSON_GetObjectItemCaseSensitive(docs[0], "schema") ? cJSON_GetObjectItemCaseSensitive(docs[0], "schema")->child : NULL;
             c && st == CX_OK; c = c->next) {
            const cJSON *nm = cJSON_GetObjectItemCaseSensitive(c, "name"), *ty = cJSON_GetObjectItemCaseSensitive(c, "type");
            if (!cJSON_IsString(nm) || !cJSON_IsString(ty))
                continue;
            cx_coltype type = strcmp(ty->valuestring, "number") == 0   ? CX_COL_NUMBER
                              : strcmp(ty->valuestring, "period") == 0 ? CX_COL_PERIOD
                                                                        : CX_COL_TEXT;
            st = cx_table_add_column(schema, nm->valuestring, type, NULL, err);
        }
    }
    if (st == CX_OK) {
        m = cx_calloc(1, sizeof *m);
        if (!m || !(m->eq = cx_calloc(spec->neq + 1, sizeof(cx_equation *))) || !(m->spec_name = cx_strdup(spec->name)))
            st = oom(err);
        if (m)
            cx_time_iso(cx_time_now(), m->fitted_at, sizeof m->fitted_at); /* SOURCE_DATE_EPOCH when set */
    }
    for (size_t k = 0; st == CX_OK && k < spec->neq; k++) {
        size_t i = spec->order[k];
        st = merge_equation(spec, i, schema, docs, names, np, &m->eq[m->neq], err);
        if (st == CX_OK) {
            const cx_equation *e = m->eq[m->neq++];
            for (size_t w = 0; w < cx_warnings_count(e->warn); w++)
                cx_warnings_add(warn, "%s: %s", e->target, cx_warnings_get(e->warn, w));
        }
    }
    for (size_t k = 0; st == CX_OK && k < np; k++)
        st = cx_model_add_input(m, names[k], err);
    for (size_t k = 0; docs && k < np; k++)
        cJSON_Delete(docs[k]);
    cx_free(docs);
    cx_spec_free(spec);
    cx_table_free(schema);
    if (st != CX_OK) {
        cx_model_free(m);
        return st;
    }
    *out = m;
    return CX_OK;
}
