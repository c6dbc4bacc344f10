/*
 * frozen.h - a case of the ledger read back for its review (frozen.c): the
 * frozen model's equations as terms that can be evaluated at any metric
 * values, the units and their baselines, the planned changes per
 * initiative and the forecast's quarters.  Never installed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_REVIEW_FROZEN_H
#define CX_REVIEW_FROZEN_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "cxcase/common.h"
#include "cxcase/data.h"
#include "../model/model_internal.h"

enum { FT_ICPT, FT_CAT, FT_EXPR };

/* One coefficient's term: the intercept, a level of C(col), or a product
 * of factors whose values come from the equation's inputs. */
typedef struct fterm {
    int kind;
    char *col, *level;   /* FT_CAT: C(col)[level]; col "quarter" is Q1 .. Q4 */
    cx_term t;           /* FT_EXPR */
    size_t *in;          /* FT_EXPR: per factor, the equation's input it reads */
} fterm;

/* An equation of the frozen model. */
typedef struct fequ {
    char *target;
    size_t tvar;         /* its target among the variables */
    fterm *t;
    size_t p;            /* coefficients (= terms) */
    double *coef, *cov;  /* p, p x p */
    double sigma, tau2;  /* tau2 NaN unless a meta-regression */
    size_t *in_var;      /* distinct inputs (variable, lag) of its FT_EXPR terms */
    int *in_lag;
    size_t nin;
} fequ;

/* A variable the model reads or predicts. */
typedef struct fvar {
    char *name;
    long eq;             /* the equation predicting it, or -1 for a metric */
    double *base;        /* per unit; NULL when the case has none */
} fvar;

/* A planned change of a metric: per unit, per quarter of the horizon. */
typedef struct feffect {
    char *initiative, *metric;
    size_t var;
    double *delta;       /* nunits x H */
} feffect;

typedef struct frozen {
    size_t seq;
    char *scenario_name; /* the scenario judged */
    char **unit;
    size_t nunits;
    fvar *v;
    size_t nv;
    fequ *eq;
    size_t neq;
    feffect *eff;        /* the effects of the judged scenario's initiatives */
    size_t neff;
    cx_period start;     /* the first quarter of the horizon */
    int H;
    long nps_eq, rev_eq; /* the NPS and revenue equations, -1 when none */
    const cJSON *scen;   /* the judged scenario of the record's forecast (borrowed from `doc`) */
    cJSON *doc;          /* the whole record */
    cJSON *content;      /* the scenario file as approved (the record's copy, parsed), or NULL */
    cJSON *reviews;      /* every "review" record of the ledger (an array, in ledger order) */
} frozen;

/* The case record number `seq` (0: the last case) of the ledger at `path`,
 * verified first, with scenario `scenario` of its forecast (NULL: the last
 * one).  Caller frees with frozen_free. */
cx_status frozen_load(const char *path, size_t seq, const char *scenario, frozen **out, cx_error *err);
void frozen_free(frozen *f);
/* Initiative `id` of the scenario file as approved (its object in
 * f->content), or NULL. */
const cJSON *frozen_initiative(const frozen *f, const char *id);
/* The variable named `name`, or (size_t)-1. */
size_t frozen_var(const frozen *f, const char *name);

#endif
