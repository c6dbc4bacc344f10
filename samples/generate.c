/*
 * samples/generate.c - deterministic generator of the cxcase sample data set.
 *
 * Copyright (C) 2025 The cxcase authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Build:  gcc -std=c11 -Wall -Wextra -O2 samples/generate.c -o build/generate \
 *             -lgsl -lgslcblas -lcjson -lm
 * Run:    build/generate OUTDIR          (OUTDIR must exist)
 *
 * Writes logistics.csv, service.csv, web.csv, finance.csv, hr.csv,
 * responses.csv, truth.json, customers.csv and customers_truth.json into OUTDIR, and the
 * reviewed quarter 2026Q1 into OUTDIR/review/ (quarter_*).  Every file is first written to
 * "OUTDIR/NAME.tmp" and renamed into place only when all files were written
 * successfully.  All randomness comes from one GSL mt19937 generator seeded
 * with 20261122 and drawn in a fixed order, so the output is byte-identical on
 * every run.  samples/README.md documents the data and the ground truth; keep
 * the two in sync.
 */
#define _POSIX_C_SOURCE 200809L /* mkdir */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

/* ------------------------------------------------------------------------ */
/* Design constants                                                          */
/* ------------------------------------------------------------------------ */

static unsigned long g_seed; /* the seed in use, for truth.json */

#ifndef SEED /* the samples use 20261122; a second argument overrides it (coverage studies) */
#define SEED 20261122UL
#endif
#define NREG 12
#define NBURN 4                    /* burn-in weeks before 2023-W01 (not written) */
#define NWEEKS 156                 /* 2023-W01 .. 2025-W52                         */
#define NSIM (NBURN + NWEEKS)
#define FIRST_YEAR 2023
#define NPS_LAG 4
#define AR_PHI 0.8

enum { REG_GRO, REG_FRL, REG_DRE, REG_OVE, REG_FLE, REG_GEL,
       REG_UTR, REG_NH, REG_ZH, REG_ZEE, REG_NB, REG_LIM };

/* Output order of the regions (also the order inside each week). */
static const char *const REGION[NREG] = {
    "Groningen", "Frysl\xC3\xA2n", "Drenthe", "Overijssel", "Flevoland",
    "Gelderland", "Utrecht", "Noord-Holland", "Zuid-Holland", "Zeeland",
    "Noord-Brabant", "Limburg"};

/* Expected survey responses per ISO week (Poisson mean), by region size. */
static const double RESP_MEAN[NREG] = {
    55, 55, 45, 95, 32, 150, 115, 200, 240, 30, 180, 85};

/* Region effect a_r on latent NPS (points); Drenthe is the baseline. */
static const double NPS_REGION[NREG] = {
    -3.0, 5.0, 0.0, 2.0, -7.5, 1.0, 4.0, -2.0, -4.0, 6.5, 3.0, -1.0};

/* Region effect b_r on weekly revenue (EUR); Drenthe is the baseline. */
static const double REV_REGION[NREG] = {
    30000, 50000, 0, 180000, -80000, 250000,
    200000, 360000, 400000, -120000, 300000, 120000};

/* Season effect s_q on weekly revenue by calendar quarter of the Thursday. */
static const double REV_SEASON[4] = {0, 40000, -60000, 150000};

/* NPS equation: latent NPS = intercept + a_r + sum coef*metric + e. */
#define NPS_INTERCEPT 10.0
#define NPS_B_CONVERSION 4.0
#define NPS_B_HANDLING (-0.03)
#define NPS_B_CTR 2.0
#define NPS_B_DELIVERY (-5.0)
#define NPS_B_ENPS 0.25
#define NPS_NOISE_SD 3.0
#define NPS_CLAMP 65.0

/* Revenue equation. */
#define REV_INTERCEPT 900000.0
#define REV_B_NPS_LAG 1500.0
#define REV_B_CONVERSION 60000.0
#define REV_NOISE_SD 25000.0

/* Volume identities. */
#define AOV_MEAN 65.0
#define AOV_SD 1.0
#define SHIP_RATIO_MEAN 1.02
#define SHIP_RATIO_SD 0.01
#define CONTACT_RATE 0.12
#define CONTACT_REL_SD 0.05

/* Survey response classes. */
#define PASSIVE_SHARE 0.30
static const double DETRACTOR_WEIGHTS[7] = {1, 1, 1, 2, 3, 5, 7};

/* Operational metrics: level per region + trend*(t-78)/52 + sd*AR(1) z_t. */
enum { M_DELIVERY, M_HANDLING, M_CONVERSION, M_CTR, M_ENPS, NMET };

typedef struct {
    const char *name;
    double level[NREG];
    double sd;         /* stationary sd of the AR(1) component */
    double trend;      /* change per 52 weeks                   */
    double lo, hi;     /* safety clamp                          */
    int scale;         /* written with log10(scale) decimals     */
} metric_spec;

static const metric_spec METRIC[NMET] = {
    {"delivery_days",
     {2.9, 3.1, 3.0, 2.7, 2.9, 2.6, 2.4, 2.5, 2.4, 3.3, 2.6, 2.8},
     0.35, -0.10, 1.0, 5.5, 100},
    {"handling_time_s",
     {430, 410, 420, 450, 470, 440, 480, 510, 520, 390, 460, 435},
     45.0, 8.0, 200.0, 750.0, 10},
    {"conversion",
     {2.7, 2.9, 2.8, 3.0, 2.6, 3.1, 3.4, 3.3, 3.2, 2.5, 3.1, 2.9},
     0.30, 0.08, 1.5, 4.8, 100},
    {"ctr",
     {3.8, 3.6, 3.7, 4.0, 4.2, 3.9, 4.5, 4.6, 4.4, 3.4, 4.1, 3.8},
     0.45, -0.12, 1.5, 6.8, 100},
    {"enps",
     {18, 22, 20, 15, 8, 16, 12, 10, 6, 25, 14, 17},
     7.0, 2.0, -40.0, 60.0, 10},
};

/* Extra delivery days in peak season (ISO weeks 48-52). */
#define DELIVERY_PEAK 0.30
#define DELIVERY_PEAK_FROM_WEEK 48

/* Cells written empty (missing values); the true value is still used. */
typedef struct { int year, week, region; } cell_ref;
static const cell_ref MISSING_DELIVERY[] = {
    {2023, 14, REG_UTR}, {2024, 33, REG_LIM}, {2025, 7, REG_FRL}};
static const cell_ref MISSING_CTR[] = {
    {2023, 40, REG_GEL}, {2024, 2, REG_NH}, {2025, 28, REG_ZEE}};
/* Rows left out of hr.csv (late HR export). */
static const cell_ref HR_OMITTED[] = {
    {2025, 51, REG_ZEE}, {2025, 52, REG_ZEE}};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Touchpoints and comments. */
enum { TP_DELIVERY, TP_SERVICE, TP_WEB, TP_STORE, NTP };
static const char *const TOUCHPOINT[NTP] = {"delivery", "service", "web", "store"};
static const double TOUCHPOINT_WEIGHTS[NTP] = {35, 20, 30, 15};

enum { CL_DETRACTOR, CL_PASSIVE, CL_PROMOTER, NCLASS };
static const char *const CLASS_NAME[NCLASS] = {"detractor", "passive", "promoter"};
/* Probability that a response carries a non-empty comment, by class. */
static const double COMMENT_PROB[NCLASS] = {0.60, 0.30, 0.40};
/* Share of non-empty comments taken from the multi-line phrases. */
#define MULTILINE_SHARE 0.002

typedef struct {
    int cls;        /* CL_*; -1 for the multi-line phrases (any class) */
    int tp;         /* TP_*; -1 = fits any touchpoint                  */
    const char *text;
} phrase;

static const phrase PHRASES[] = {
    /* promoters */
    {CL_PROMOTER, TP_DELIVERY, "Fast delivery, well packed"},
    {CL_PROMOTER, TP_DELIVERY, "Ordered Monday, had it Tuesday"},
    {CL_PROMOTER, TP_DELIVERY, "The \"track & trace\" was spot on"},
    {CL_PROMOTER, TP_SERVICE, "Helpful agent, solved it in one call"},
    {CL_PROMOTER, TP_WEB, "Easy to find what I needed"},
    {CL_PROMOTER, TP_STORE, "Friendly staff in the store"},
    {CL_PROMOTER, -1, "Great service"},
    {CL_PROMOTER, -1, "Snel geleverd, prima service"},
    {CL_PROMOTER, -1, "Geweldig, \xC3\xA9\xC3\xA9n woord: top!"},
    {CL_PROMOTER, -1, "Will order again"},
    /* passives */
    {CL_PASSIVE, TP_DELIVERY, "Parcel came a day late, no big deal"},
    {CL_PASSIVE, TP_WEB, "Website is a bit slow"},
    {CL_PASSIVE, TP_WEB, "Checkout asks for too many details"},
    {CL_PASSIVE, TP_STORE, "Store was busy, but OK"},
    {CL_PASSIVE, -1, "OK"},
    {CL_PASSIVE, -1, "Prima"},
    {CL_PASSIVE, -1, "Prices could be lower"},
    {CL_PASSIVE, -1, "Nothing special, nothing wrong"},
    /* detractors */
    {CL_DETRACTOR, TP_DELIVERY, "Delivery took far too long"},
    {CL_DETRACTOR, TP_DELIVERY, "Promised \"next day\", took a week"},
    {CL_DETRACTOR, TP_DELIVERY, "Package damaged, had to return it"},
    {CL_DETRACTOR, TP_SERVICE, "Waited 40 minutes on the phone"},
    {CL_DETRACTOR, TP_SERVICE, "Nobody answered my e-mail"},
    {CL_DETRACTOR, TP_WEB, "Website kept saying \"error\", gave up"},
    {CL_DETRACTOR, TP_STORE, "Staff didn't know the products"},
    {CL_DETRACTOR, -1, "Te laat, en geen excuses"},
    {CL_DETRACTOR, -1, "Wrong size, and returning is a hassle"},
    {CL_DETRACTOR, -1, "Too expensive for what you get"},
    /* multi-line (about 1 in 500 non-empty comments) */
    {-1, -1, "Delivery was late.\nCustomer service was kind though."},
    {-1, -1, "Two issues:\n1) late, 2) \"free\" shipping wasn't free"},
    {-1, -1, "Thanks!\nGreat help from Sanne at the store"},
};
#define NPHRASE ((int)NELEM(PHRASES))

/* ------------------------------------------------------------------------ */
/* Calendar                                                                  */
/* ------------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long days_from_civil(long y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long yy = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

/* ISO weekday, Monday = 1 .. Sunday = 7 (1970-01-01 was a Thursday). */
static int iso_weekday(long days)
{
    long r = (days + 3) % 7;
    if (r < 0)
        r += 7;
    return (int)r + 1;
}

/* Monday of ISO week 1 of year y: the week that contains 4 January. */
static long iso_week1_monday(int y)
{
    long jan4 = days_from_civil(y, 1, 4);
    return jan4 - (iso_weekday(jan4) - 1);
}

typedef struct {
    long monday;     /* day number of the Monday */
    int iso_year, iso_week;
    int quarter;     /* 1..4, calendar quarter of the Thursday */
} week_info;

static week_info week_of(long monday)
{
    week_info w;
    int y, m, d;
    long thu = monday + 3;
    civil_from_days(thu, &y, &m, &d);
    w.monday = monday;
    w.iso_year = y; /* the Thursday decides the ISO year */
    w.iso_week = (int)((thu - days_from_civil(y, 1, 1)) / 7) + 1;
    w.quarter = (m - 1) / 3 + 1;
    return w;
}

/* ------------------------------------------------------------------------ */
/* Output helpers                                                            */
/* ------------------------------------------------------------------------ */

enum { F_LOGISTICS, F_SERVICE, F_WEB, F_FINANCE, F_HR, F_RESPONSES, F_TRUTH,
       F_CUSTOMERS, F_CUSTOMERS_TRUTH, NFILE };
static const char *const FILENAME[NFILE] = {
    "logistics.csv", "service.csv", "web.csv", "finance.csv",
    "hr.csv", "responses.csv", "truth.json",
    "customers.csv", "customers_truth.json"};

static char *final_path[NFILE];
static char *temp_path[NFILE];
static FILE *out[NFILE];
static int io_error;

static char *join_path(const char *dir, const char *name, const char *suffix)
{
    size_t n = strlen(dir) + 1 + strlen(name) + strlen(suffix) + 1;
    char *p = malloc(n);
    if (!p) {
        fprintf(stderr, "generate: out of memory\n");
        exit(1);
    }
    snprintf(p, n, "%s/%s%s", dir, name, suffix);
    return p;
}

static void cleanup_temps(void)
{
    for (int i = 0; i < NFILE; i++) {
        if (out[i]) {
            fclose(out[i]);
            out[i] = NULL;
        }
        if (temp_path[i])
            remove(temp_path[i]);
    }
}

static void die(const char *what, const char *path)
{
    fprintf(stderr, "generate: %s %s: %s\n", what, path ? path : "",
            errno ? strerror(errno) : "error");
    cleanup_temps();
    exit(1);
}

/* Formats integer v (value * 10^decimals) as a fixed-point number with the
 * given decimal mark; locale independent and exact. */
static const char *fixed(char *buf, size_t size, long v, int decimals, char mark)
{
    long scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    unsigned long a = v < 0 ? (unsigned long)(-v) : (unsigned long)v;
    if (decimals == 0)
        snprintf(buf, size, "%s%lu", v < 0 ? "-" : "", a);
    else
        snprintf(buf, size, "%s%lu%c%0*lu", v < 0 ? "-" : "",
                 a / (unsigned long)scale, mark, decimals,
                 a % (unsigned long)scale);
    return buf;
}

static int decimals_of(int scale)
{
    int d = 0;
    while (scale > 1) {
        scale /= 10;
        d++;
    }
    return d;
}

/* RFC 4180 field: quoted when it holds a comma, quote, CR or LF. */
static void put_csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static int in_list(const cell_ref *list, size_t n, const week_info *w, int r)
{
    for (size_t i = 0; i < n; i++)
        if (list[i].year == w->iso_year && list[i].week == w->iso_week &&
            list[i].region == r)
            return 1;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Simulation state                                                          */
/* ------------------------------------------------------------------------ */

typedef struct {
    unsigned char day;   /* 0 = Monday .. 6 = Sunday */
    unsigned char score;
    unsigned char tp;
    signed char phrase;  /* -1 = empty comment */
    signed char theme;   /* -1, or the planted theme phrase (themes_plant) */
} response;

static week_info WEEK[NSIM];
static long metric_int[NSIM][NREG][NMET]; /* value * scale, as written */
static double nps_latent[NSIM][NREG];
static double nps_observed[NSIM][NREG];
static int nresp[NSIM][NREG];
static response *resp[NREG];
static int resp_cap[NREG];

static double metric_value(int w, int r, int m)
{
    return (double)metric_int[w][r][m] / METRIC[m].scale;
}

/* Phrase candidates per (class, touchpoint) and the multi-line ones. */
static int cand[NCLASS][NTP][NPHRASE];
static int ncand[NCLASS][NTP];
static int multi[NPHRASE];
static int nmulti;

static void build_phrase_index(void)
{
    for (int i = 0; i < NPHRASE; i++) {
        if (PHRASES[i].cls < 0) {
            multi[nmulti++] = i;
            continue;
        }
        for (int t = 0; t < NTP; t++)
            if (PHRASES[i].tp < 0 || PHRASES[i].tp == t)
                cand[PHRASES[i].cls][t][ncand[PHRASES[i].cls][t]++] = i;
    }
}

/* ------------------------------------------------------------------------ */
/* Themes planted in the comments by driver                                  */
/* ------------------------------------------------------------------------ */

/* In a (week, region) cell where a driver was bad, a detractor's one-line
 * comment is replaced, with probability THEME_PROB, by one of its theme's
 * phrases.  The draws come from their own generator (theme_rng), seeded
 * apart from the main one, so that every other column of every file is the
 * same byte for byte as without the themes.  samples/README.md, "Themes in
 * the comments", documents the truth. */
#define THEME_SEED_XOR 0x766F6963UL /* "voic" */
#define THEME_PROB 0.5
#define NTHEME_PHRASE 3

typedef struct {
    const char *name;
    int metric;        /* M_* */
    int high_is_bad;   /* 1: a value at or above `threshold` is bad; 0: at or below */
    double threshold;  /* in the metric's written unit */
    const char *text[NTHEME_PHRASE];
} theme;

static const theme THEMES[] = {
    {"slow delivery", M_DELIVERY, 1, 3.30,
     {"Pakket kwam te laat, de bezorging is een ramp",
      "Bezorging te laat en het pakket was beschadigd",
      "Weer te laat! Waar blijft mijn pakket? Slechte bezorging"}},
    {"slow service", M_HANDLING, 1, 540.0,
     {"Lange wachttijd bij de klantenservice",
      "Klantenservice onbereikbaar, wachttijd van een uur",
      "De wachttijd aan de telefoon is te lang, klantenservice helpt niet"}},
    {"low conversion", M_CONVERSION, 0, 2.50,
     {"Afrekenen op de website lukt niet",
      "De website loopt vast bij het afrekenen",
      "Kon niet afrekenen, de website gaf steeds een foutmelding"}},
};
#define NTHEME ((int)NELEM(THEMES))

static gsl_rng *theme_rng;
static long theme_cells[NTHEME];    /* written cells in which the theme's driver was bad */
static long theme_comments[NTHEME]; /* comments replaced by the theme's phrases */

static int theme_bad(int t, int w, int r)
{
    double v = metric_value(w, r, THEMES[t].metric);
    return THEMES[t].high_is_bad ? v >= THEMES[t].threshold : v <= THEMES[t].threshold;
}

/* Count the written cells in which each theme's driver was bad. */
static void themes_count_cell(int w, int r)
{
    for (int t = 0; t < NTHEME; t++)
        theme_cells[t] += theme_bad(t, w, r);
}

/* Plant a theme in response x of cell (w, r): for a detractor with a
 * one-line comment, each theme whose driver was bad, in THEMES order, takes
 * the comment with probability THEME_PROB (one uniform each), and the first
 * that does picks one of its phrases (one uniform_int). */
static void themes_plant(int w, int r, response *x)
{
    x->theme = -1;
    if (x->score > 6 || x->phrase < 0 || PHRASES[x->phrase].cls < 0)
        return;
    for (int t = 0; t < NTHEME; t++) {
        if (!theme_bad(t, w, r) || gsl_rng_uniform(theme_rng) >= THEME_PROB)
            continue;
        x->theme = (signed char)(t * NTHEME_PHRASE + (int)gsl_rng_uniform_int(theme_rng, NTHEME_PHRASE));
        theme_comments[t]++;
        return;
    }
}

/* The comment of response x as written. */
static const char *comment_text(const response *x)
{
    if (x->theme >= 0)
        return THEMES[x->theme / NTHEME_PHRASE].text[x->theme % NTHEME_PHRASE];
    return PHRASES[x->phrase].text;
}

/* The themes' truth, for truth.json. */
static void themes_truth(cJSON *root)
{
    cJSON *th = cJSON_AddObjectToObject(root, "comment_themes");
    cJSON_AddStringToObject(th, "rule",
        "in a written (week, region) cell where the driver was bad, each detractor's one-line "
        "comment is replaced with probability 0.5 by one of the theme's 3 phrases (uniform); "
        "themes are tried in this order and the first that fires wins");
    cJSON_AddNumberToObject(th, "probability", THEME_PROB);
    cJSON_AddNumberToObject(th, "rng_seed", (double)(g_seed ^ THEME_SEED_XOR));
    cJSON *list = cJSON_AddArrayToObject(th, "themes");
    for (int t = 0; t < NTHEME; t++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", THEMES[t].name);
        cJSON_AddStringToObject(o, "metric", METRIC[THEMES[t].metric].name);
        cJSON_AddStringToObject(o, "bad_when", THEMES[t].high_is_bad ? ">=" : "<=");
        cJSON_AddNumberToObject(o, "threshold", THEMES[t].threshold);
        cJSON_AddItemToObject(o, "phrases", cJSON_CreateStringArray(THEMES[t].text, NTHEME_PHRASE));
        cJSON_AddNumberToObject(o, "bad_cells", (double)theme_cells[t]);
        cJSON_AddNumberToObject(o, "comments", (double)theme_comments[t]);
        cJSON_AddItemToArray(list, o);
    }
}

/* Counters reported on stderr and in truth.json. */
static long clamp_metric_hits[NMET];
static long clamp_nps_hits;
static double latent_min = 1e300, latent_max = -1e300; /* written weeks */
static long empty_cells;
static long total_responses_written;
static long rows_written[NFILE];
static long comment_counts[3]; /* empty, one-line, multi-line */

/* ------------------------------------------------------------------------ */
/* truth.json                                                                */
/* ------------------------------------------------------------------------ */

static cJSON *region_object(const double *v)
{
    cJSON *o = cJSON_CreateObject();
    for (int r = 0; r < NREG; r++)
        cJSON_AddNumberToObject(o, REGION[r], v[r]);
    return o;
}

static cJSON *cell_list(const cell_ref *list, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        char wk[16];
        snprintf(wk, sizeof wk, "%04d-W%02d", list[i].year, list[i].week);
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "week", wk);
        cJSON_AddStringToObject(c, "region", REGION[list[i].region]);
        cJSON_AddItemToArray(a, c);
    }
    return a;
}

static char *build_truth(void)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "generator", "samples/generate.c");
    cJSON_AddStringToObject(root, "rng", "gsl_rng_mt19937");
    cJSON_AddNumberToObject(root, "seed", (double)g_seed);
    cJSON_AddStringToObject(root, "period_column", "week");
    cJSON_AddStringToObject(root, "unit_column", "region");
    cJSON_AddStringToObject(root, "first_week", "2023-W01");
    cJSON_AddStringToObject(root, "last_week", "2025-W52");
    cJSON_AddNumberToObject(root, "weeks", NWEEKS);
    cJSON_AddNumberToObject(root, "burn_in_weeks", NBURN);
    cJSON *regs = cJSON_AddArrayToObject(root, "regions");
    for (int r = 0; r < NREG; r++)
        cJSON_AddItemToArray(regs, cJSON_CreateString(REGION[r]));
    cJSON_AddStringToObject(root, "baseline_region", REGION[REG_DRE]);
    cJSON_AddStringToObject(root, "baseline_quarter", "Q1");

    cJSON *eqs = cJSON_AddObjectToObject(root, "equations");

    cJSON *nps = cJSON_AddObjectToObject(eqs, "nps");
    cJSON_AddStringToObject(nps, "target", "nps");
    cJSON_AddStringToObject(nps, "target_meaning",
        "latent NPS of the (week, region) cell; the observed NPS is the "
        "NPS of that cell's survey responses");
    cJSON_AddNumberToObject(nps, "intercept", NPS_INTERCEPT);
    cJSON *c = cJSON_AddObjectToObject(nps, "coefficients");
    cJSON_AddNumberToObject(c, "conversion", NPS_B_CONVERSION);
    cJSON_AddNumberToObject(c, "handling_time_s", NPS_B_HANDLING);
    cJSON_AddNumberToObject(c, "ctr", NPS_B_CTR);
    cJSON_AddNumberToObject(c, "delivery_days", NPS_B_DELIVERY);
    cJSON_AddNumberToObject(c, "enps", NPS_B_ENPS);
    cJSON_AddItemToObject(nps, "region_effects", region_object(NPS_REGION));
    cJSON_AddNumberToObject(nps, "noise_sd", NPS_NOISE_SD);
    cJSON_AddNumberToObject(nps, "clamp", NPS_CLAMP);
    cJSON_AddNumberToObject(nps, "clamp_hits", (double)clamp_nps_hits);
    cJSON_AddNumberToObject(nps, "latent_min", round(latent_min * 100.0) / 100.0);
    cJSON_AddNumberToObject(nps, "latent_max", round(latent_max * 100.0) / 100.0);

    cJSON *rev = cJSON_AddObjectToObject(eqs, "revenue");
    cJSON_AddStringToObject(rev, "target", "revenue");
    cJSON_AddNumberToObject(rev, "intercept", REV_INTERCEPT);
    c = cJSON_AddObjectToObject(rev, "coefficients");
    cJSON_AddNumberToObject(c, "lag(nps, 4)", REV_B_NPS_LAG);
    cJSON_AddNumberToObject(c, "conversion", REV_B_CONVERSION);
    cJSON_AddStringToObject(rev, "nps_definition",
        "latent NPS of the same region 4 ISO weeks earlier: what customers "
        "experienced, which the survey's NPS (100*(promoters-detractors)/n of "
        "that cell's responses) only estimates, with sampling error nps_se");
    cJSON_AddNumberToObject(rev, "lag", NPS_LAG);
    cJSON_AddItemToObject(rev, "region_effects", region_object(REV_REGION));
    cJSON *se = cJSON_AddObjectToObject(rev, "season_effects");
    const char *qn[4] = {"Q1", "Q2", "Q3", "Q4"};
    for (int q = 0; q < 4; q++)
        cJSON_AddNumberToObject(se, qn[q], REV_SEASON[q]);
    cJSON_AddStringToObject(rev, "season_definition",
        "calendar quarter of the ISO week's Thursday");
    cJSON_AddNumberToObject(rev, "noise_sd", REV_NOISE_SD);

    cJSON *sv = cJSON_AddObjectToObject(root, "survey");
    cJSON_AddStringToObject(sv, "scale", "nps");
    cJSON_AddNumberToObject(sv, "passive_share", PASSIVE_SHARE);
    cJSON_AddStringToObject(sv, "promoter_probability", "(0.70 + NPS/100)/2");
    cJSON_AddStringToObject(sv, "detractor_probability", "(0.70 - NPS/100)/2");
    cJSON *sc = cJSON_AddObjectToObject(sv, "scores");
    cJSON_AddItemToObject(sc, "promoter",
        cJSON_CreateDoubleArray((const double[]){9, 10}, 2));
    cJSON_AddItemToObject(sc, "promoter_weights",
        cJSON_CreateDoubleArray((const double[]){1, 1}, 2));
    cJSON_AddItemToObject(sc, "passive",
        cJSON_CreateDoubleArray((const double[]){7, 8}, 2));
    cJSON_AddItemToObject(sc, "passive_weights",
        cJSON_CreateDoubleArray((const double[]){1, 1}, 2));
    cJSON_AddItemToObject(sc, "detractor",
        cJSON_CreateDoubleArray((const double[]){0, 1, 2, 3, 4, 5, 6}, 7));
    cJSON_AddItemToObject(sc, "detractor_weights",
        cJSON_CreateDoubleArray(DETRACTOR_WEIGHTS, 7));
    cJSON_AddItemToObject(sv, "responses_per_week_mean", region_object(RESP_MEAN));
    cJSON_AddStringToObject(sv, "responses_per_week_distribution", "poisson");
    cJSON *tw = cJSON_AddObjectToObject(sv, "touchpoint_weights");
    for (int t = 0; t < NTP; t++)
        cJSON_AddNumberToObject(tw, TOUCHPOINT[t], TOUCHPOINT_WEIGHTS[t]);
    cJSON *cp = cJSON_AddObjectToObject(sv, "comment_probability");
    for (int k = 0; k < NCLASS; k++)
        cJSON_AddNumberToObject(cp, CLASS_NAME[k], COMMENT_PROB[k]);
    cJSON_AddNumberToObject(sv, "multiline_comment_share", MULTILINE_SHARE);
    cJSON_AddNumberToObject(sv, "responses_written", (double)total_responses_written);
    cJSON_AddNumberToObject(sv, "empty_cells", (double)empty_cells);

    cJSON *mets = cJSON_AddObjectToObject(root, "metrics");
    cJSON_AddNumberToObject(mets, "ar_phi", AR_PHI);
    cJSON_AddStringToObject(mets, "model",
        "level_r + trend*(t-78)/52 + sd*z_t, z_t = 0.8 z_{t-1} + "
        "sqrt(1-0.8^2) N(0,1), z stationary N(0,1); t = 0 for 2023-W01; "
        "rounded to the written precision before use");
    for (int m = 0; m < NMET; m++) {
        cJSON *o = cJSON_AddObjectToObject(mets, METRIC[m].name);
        cJSON_AddItemToObject(o, "level", region_object(METRIC[m].level));
        cJSON_AddNumberToObject(o, "ar_sd", METRIC[m].sd);
        cJSON_AddNumberToObject(o, "trend_per_year", METRIC[m].trend);
        cJSON_AddNumberToObject(o, "clamp_lo", METRIC[m].lo);
        cJSON_AddNumberToObject(o, "clamp_hi", METRIC[m].hi);
        cJSON_AddNumberToObject(o, "clamp_hits", (double)clamp_metric_hits[m]);
        cJSON_AddNumberToObject(o, "decimals", decimals_of(METRIC[m].scale));
        if (m == M_DELIVERY) {
            cJSON_AddNumberToObject(o, "peak_extra", DELIVERY_PEAK);
            cJSON_AddNumberToObject(o, "peak_from_iso_week", DELIVERY_PEAK_FROM_WEEK);
        }
    }

    cJSON *vol = cJSON_AddObjectToObject(root, "volumes");
    cJSON_AddStringToObject(vol, "orders", "round(revenue / aov), aov ~ N(65, 1)");
    cJSON_AddStringToObject(vol, "sessions", "round(orders / (conversion/100))");
    cJSON_AddStringToObject(vol, "shipments", "round(orders * N(1.02, 0.01))");
    cJSON_AddStringToObject(vol, "contacts", "round(orders * 0.12 * N(1, 0.05))");

    cJSON *miss = cJSON_AddObjectToObject(root, "missing_cells");
    cJSON_AddItemToObject(miss, "logistics.csv:delivery_days",
        cell_list(MISSING_DELIVERY, NELEM(MISSING_DELIVERY)));
    cJSON_AddItemToObject(miss, "web.csv:ctr",
        cell_list(MISSING_CTR, NELEM(MISSING_CTR)));
    cJSON_AddItemToObject(root, "hr_rows_omitted",
        cell_list(HR_OMITTED, NELEM(HR_OMITTED)));
    themes_truth(root);

    char *s = cJSON_Print(root);
    cJSON_Delete(root);
    return s;
}

/* ------------------------------------------------------------------------ */
/* Main                                                                      */
/* ------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------ */
/* Customers (issue 16): customers.csv, customer_id in responses.csv        */
/* ------------------------------------------------------------------------ */
/*
 * Every region has CUST_PER_REGION customers.  Each response is given a
 * customer of its region drawn uniformly, so a customer may answer several
 * times or never.  A customer's latent satisfaction is the class of their
 * last response (promoter, passive, detractor), or for one who never
 * answered a class drawn as the survey draws one from the region's latent
 * NPS in the last week.  Leaving and spending in the 12 months after
 * follow it (samples/README.md, "Customers").  All of it comes from a
 * generator of its own (seed + CUST_SEED_OFFSET), so that the draws of the
 * other files do not move.
 */
#define CUST_PER_REGION 10400
#define CUST_SEED_OFFSET 16016UL
#define CUST_BUSINESS_SHARE 0.30
#define CUST_TENURE_MAX 12.0
/* logit P(left) = intercept + consumer + passive/promoter + tenure * years */
#define CHURN_INTERCEPT (-0.9)
#define CHURN_CONSUMER 0.5
#define CHURN_PASSIVE (-0.8)
#define CHURN_PROMOTER (-1.5)
#define CHURN_TENURE (-0.08)
/* value_12m = intercept + consumer + passive/promoter + tenure * years + N(0, sd) */
#define SPEND_INTERCEPT 2400.0
#define SPEND_CONSUMER (-900.0)
#define SPEND_PASSIVE 750.0
#define SPEND_PROMOTER 1500.0
#define SPEND_TENURE 40.0
#define SPEND_SD 400.0

static gsl_rng *cust_rng;
static signed char cust_class[NREG][CUST_PER_REGION]; /* class of the last response, -1 none */

static void customers_init(unsigned long seed)
{
    cust_rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(cust_rng, seed + CUST_SEED_OFFSET);
    memset(cust_class, -1, sizeof cust_class);
}

/* ",C000123": the customer of a response of region r, written in file order. */
static void customers_put_id(FILE *f, int r, int score)
{
    unsigned long k = gsl_rng_uniform_int(cust_rng, CUST_PER_REGION);
    cust_class[r][k] = (signed char)(score >= 9 ? CL_PROMOTER : score >= 7 ? CL_PASSIVE : CL_DETRACTOR);
    fprintf(f, ",C%06lu", (unsigned long)r * CUST_PER_REGION + k + 1);
}

static cJSON *customers_truth(unsigned long seed, const long *linked)
{
    cJSON *root = cJSON_CreateObject(), *ch = cJSON_CreateObject(), *sp = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "generator", "samples/generate.c (customers_*)");
    cJSON_AddNumberToObject(root, "seed", (double)(seed + CUST_SEED_OFFSET));
    cJSON_AddNumberToObject(root, "customers_per_region", CUST_PER_REGION);
    cJSON_AddNumberToObject(root, "customers_who_answered", (double)linked[0]);
    cJSON_AddStringToObject(root, "latent_satisfaction", "the class of the customer's last response");
    cJSON_AddNumberToObject(ch, "(Intercept)", CHURN_INTERCEPT);
    cJSON_AddNumberToObject(ch, "C(category)[passive]", CHURN_PASSIVE);
    cJSON_AddNumberToObject(ch, "C(category)[promoter]", CHURN_PROMOTER);
    cJSON_AddNumberToObject(ch, "tenure_years", CHURN_TENURE);
    cJSON_AddNumberToObject(ch, "C(segment)[consumer]", CHURN_CONSUMER);
    cJSON_AddItemToObject(root, "churned_logit", ch);
    cJSON_AddNumberToObject(sp, "(Intercept)", SPEND_INTERCEPT);
    cJSON_AddNumberToObject(sp, "C(category)[passive]", SPEND_PASSIVE);
    cJSON_AddNumberToObject(sp, "C(category)[promoter]", SPEND_PROMOTER);
    cJSON_AddNumberToObject(sp, "tenure_years", SPEND_TENURE);
    cJSON_AddNumberToObject(sp, "C(segment)[consumer]", SPEND_CONSUMER);
    cJSON_AddItemToObject(root, "value_12m", sp);
    cJSON_AddNumberToObject(root, "value_12m_noise_sd", SPEND_SD);
    cJSON_AddNumberToObject(root, "nps_point_per_region_week",
                            CUST_PER_REGION * SPEND_PROMOTER / 200.0 / 52.0);
    return root;
}

/* customers.csv and customers_truth.json, after every response was written. */
static int customers_write(FILE *f, FILE *ft, unsigned long seed, int last_week)
{
    long linked = 0;
    fputs("customer_id,region,segment,tenure_years,value_12m,churned\n", f);
    for (int r = 0; r < NREG; r++) {
        const double p_prom = (0.70 + nps_latent[last_week][r] / 100.0) / 2.0;
        for (int k = 0; k < CUST_PER_REGION; k++) {
            int business = gsl_rng_uniform(cust_rng) < CUST_BUSINESS_SHARE;
            long tenure10 = lround(gsl_rng_uniform(cust_rng) * CUST_TENURE_MAX * 10.0);
            double tenure = (double)tenure10 / 10.0;
            int cls = cust_class[r][k];
            if (cls < 0) {
                double u = gsl_rng_uniform(cust_rng);
                cls = u < p_prom ? CL_PROMOTER : u < p_prom + PASSIVE_SHARE ? CL_PASSIVE : CL_DETRACTOR;
            } else {
                linked++;
            }
            double eta = CHURN_INTERCEPT + (business ? 0 : CHURN_CONSUMER) + CHURN_TENURE * tenure
                + (cls == CL_PASSIVE ? CHURN_PASSIVE : cls == CL_PROMOTER ? CHURN_PROMOTER : 0);
            int left = gsl_rng_uniform(cust_rng) < 1.0 / (1.0 + exp(-eta));
            double spend = SPEND_INTERCEPT + (business ? 0 : SPEND_CONSUMER) + SPEND_TENURE * tenure
                + (cls == CL_PASSIVE ? SPEND_PASSIVE : cls == CL_PROMOTER ? SPEND_PROMOTER : 0)
                + gsl_ran_gaussian(cust_rng, SPEND_SD);
            char b1[32], b2[32];
            fprintf(f, "C%06d,%s,%s,%s,%s,%d\n", r * CUST_PER_REGION + k + 1, REGION[r],
                    business ? "business" : "consumer", fixed(b1, sizeof b1, tenure10, 1, '.'),
                    fixed(b2, sizeof b2, lround(spend * 100.0), 2, '.'), left);
        }
    }
    cJSON *truth = customers_truth(seed, &linked);
    char *text = truth ? cJSON_Print(truth) : NULL;
    cJSON_Delete(truth);
    if (!text)
        return -1;
    fputs(text, ft);
    fputc('\n', ft);
    cJSON_free(text);
    gsl_rng_free(cust_rng);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The reviewed quarter (issue 12): review/, 2026-W01 .. 2026-W13            */
/* ------------------------------------------------------------------------ */
/*
 * The quarter after the data, as the departments export it three months
 * after the plan (samples/scenario.json) was approved: the same files, the
 * same dialects and columns, only the quarter's rows, in OUTDIR/review/.
 * The world goes on as before (the AR(1) metrics continue from their last
 * state, revenue reads the latent NPS of 2025-W49 .. W52 for the first
 * four weeks), except for what the review should find:
 *   - execution: "More customer-service staff" (service_staff), planned at
 *     -30 s of handling time in 2026Q1 in every region (the first quarter
 *     of its 2-quarter ramp to -60 s), went live in 8 of the 12 regions
 *     and there delivered 60% of the plan: -18 s;
 *   - a level drift: the latent NPS of every region is 2 points higher
 *     than the drivers explain (a market-wide lift the model cannot see).
 * The true coefficients stay those of truth.json.  All draws come from a
 * generator of their own (seed XOR "revw"), drawn after every other file's,
 * so that those files are the same byte for byte.  review/truth.json
 * records the truth; samples/README.md, "The reviewed quarter", documents it.
 */
#define Q_WEEKS 13
#define Q_SEED_XOR 0x72657677UL /* "revw" */
#define Q_PLANNED (-30.0)       /* service_staff's planned handling-time change in 2026Q1 */
#define Q_SHARE 0.6             /* the share of it delivered where it went live */
#define Q_NPS_DRIFT 2.0         /* latent NPS above what the drivers explain */
/* where service_staff went live (in 2026Q1), by region in file order:
 * not in Drenthe, Flevoland, Zeeland and Limburg, the smallest service centres */
static const int Q_REACHED[NREG] = {1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 1, 0};
/* costs booked in 2026Q1, by the approved scenario's initiatives */
static const struct { const char *id, *kind; double amount; } Q_COSTS[] = {
    {"next_day", "capex", 955000}, {"service_staff", "opex", 96000}, {"checkout", "capex", 1020000}};

enum { QF_LOGISTICS, QF_SERVICE, QF_WEB, QF_FINANCE, QF_HR, QF_RESPONSES, QF_ROLLOUT, QF_TRUTH, NQFILE };
static const char *const QFILENAME[NQFILE] = {
    "logistics.csv", "service.csv", "web.csv", "finance.csv", "hr.csv", "responses.csv", "rollout.json", "truth.json"};
static char *q_final[NQFILE], *q_temp[NQFILE];
static FILE *qout[NQFILE];

static void quarter_cleanup(void)
{
    for (int i = 0; i < NQFILE; i++) {
        if (qout[i])
            fclose(qout[i]);
        qout[i] = NULL;
        if (q_temp[i])
            remove(q_temp[i]);
    }
}

/* One (week, region) cell's survey responses, drawn as the history's are
 * (no planted themes), written by date; returns the observed NPS. */
static double quarter_responses(gsl_rng *rng, const week_info *wk, int r, double nps, gsl_ran_discrete_t *det_table,
                                gsl_ran_discrete_t *tp_table, long *count)
{
    const double p_prom = (0.70 + nps / 100.0) / 2.0;
    const int n = (int)gsl_ran_poisson(rng, RESP_MEAN[r]);
    response *x = calloc((size_t)n + 1, sizeof *x);
    if (!x) {
        fprintf(stderr, "generate: out of memory\n");
        quarter_cleanup();
        cleanup_temps();
        exit(1);
    }
    int prom = 0, det = 0;
    for (int i = 0; i < n; i++) {
        x[i].day = (unsigned char)gsl_rng_uniform_int(rng, 7);
        double u = gsl_rng_uniform(rng);
        int cls = u < p_prom ? CL_PROMOTER : u < p_prom + PASSIVE_SHARE ? CL_PASSIVE : CL_DETRACTOR;
        x[i].score = (unsigned char)(cls == CL_PROMOTER ? 9 + gsl_rng_uniform_int(rng, 2)
                                     : cls == CL_PASSIVE ? 7 + gsl_rng_uniform_int(rng, 2)
                                                         : gsl_ran_discrete(rng, det_table));
        prom += cls == CL_PROMOTER;
        det += cls == CL_DETRACTOR;
        x[i].tp = (unsigned char)gsl_ran_discrete(rng, tp_table);
        x[i].phrase = -1;
        x[i].theme = -1;
        if (gsl_rng_uniform(rng) < COMMENT_PROB[cls])
            x[i].phrase = (signed char)(gsl_rng_uniform(rng) < MULTILINE_SHARE
                                            ? multi[gsl_rng_uniform_int(rng, (unsigned long)nmulti)]
                                            : cand[cls][x[i].tp][gsl_rng_uniform_int(rng, (unsigned long)ncand[cls][x[i].tp])]);
    }
    for (int day = 0; day < 7; day++) {
        int y, mo, d;
        civil_from_days(wk->monday + day, &y, &mo, &d);
        for (int i = 0; i < n; i++) {
            if (x[i].day != day)
                continue;
            fprintf(qout[QF_RESPONSES], "%04d-%02d-%02d,%s,%s,%d,", y, mo, d, REGION[r], TOUCHPOINT[x[i].tp], x[i].score);
            if (x[i].phrase >= 0)
                put_csv_field(qout[QF_RESPONSES], PHRASES[x[i].phrase].text);
            fprintf(qout[QF_RESPONSES], ",C%06lu\n",
                    (unsigned long)r * CUST_PER_REGION + gsl_rng_uniform_int(rng, CUST_PER_REGION) + 1);
            (*count)++;
        }
    }
    free(x);
    return n > 0 ? 100.0 * (prom - det) / n : nps;
}

/* The quarter's truth and rollout: review/truth.json and review/rollout.json. */
static int quarter_json(unsigned long seed, const double *lat_mean, const double *obs_mean, long responses)
{
    cJSON *ro = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(ro, "initiatives");
    for (size_t c = 0; c < NELEM(Q_COSTS); c++) {
        cJSON *x = cJSON_CreateObject(), *units = cJSON_CreateObject(), *costs = cJSON_CreateArray(), *k;
        cJSON_AddStringToObject(x, "id", Q_COSTS[c].id);
        for (int r = 0; r < NREG; r++)
            if (strcmp(Q_COSTS[c].id, "service_staff") != 0)
                cJSON_AddStringToObject(units, REGION[r], "2026Q2"); /* as planned */
            else if (Q_REACHED[r])
                cJSON_AddStringToObject(units, REGION[r], "2026Q1");
        cJSON_AddItemToObject(x, "units", units);
        cJSON_AddItemToArray(costs, k = cJSON_CreateObject());
        cJSON_AddStringToObject(k, "kind", Q_COSTS[c].kind);
        cJSON_AddStringToObject(k, "quarter", "2026Q1");
        cJSON_AddNumberToObject(k, "amount", Q_COSTS[c].amount);
        cJSON_AddItemToObject(x, "costs", costs);
        cJSON_AddItemToArray(list, x);
    }
    cJSON *t = cJSON_CreateObject(), *reached = cJSON_CreateArray(), *not_reached = cJSON_CreateArray();
    cJSON_AddStringToObject(t, "generator", "samples/generate.c (quarter_*)");
    cJSON_AddNumberToObject(t, "seed", (double)(seed ^ Q_SEED_XOR));
    cJSON_AddStringToObject(t, "quarter", "2026Q1");
    cJSON_AddStringToObject(t, "first_week", "2026-W01");
    cJSON_AddStringToObject(t, "last_week", "2026-W13");
    cJSON_AddStringToObject(t, "initiative", "service_staff");
    cJSON_AddStringToObject(t, "metric", "handling_time_s");
    cJSON_AddNumberToObject(t, "planned_change", Q_PLANNED);
    cJSON_AddNumberToObject(t, "share_delivered", Q_SHARE);
    cJSON_AddNumberToObject(t, "realised_change", Q_SHARE * Q_PLANNED);
    for (int r = 0; r < NREG; r++)
        cJSON_AddItemToArray(Q_REACHED[r] ? reached : not_reached, cJSON_CreateString(REGION[r]));
    cJSON_AddItemToObject(t, "units_reached", reached);
    cJSON_AddItemToObject(t, "units_not_reached", not_reached);
    cJSON_AddNumberToObject(t, "nps_level_drift", Q_NPS_DRIFT);
    cJSON_AddStringToObject(t, "coefficients", "those of ../truth.json, unchanged");
    cJSON_AddItemToObject(t, "latent_nps_mean", region_object(lat_mean));
    cJSON_AddItemToObject(t, "observed_nps_mean", region_object(obs_mean));
    cJSON_AddNumberToObject(t, "responses_written", (double)responses);
    char *a = cJSON_Print(ro), *b = cJSON_Print(t);
    cJSON_Delete(ro);
    cJSON_Delete(t);
    if (a && b) {
        fprintf(qout[QF_ROLLOUT], "%s\n", a);
        fprintf(qout[QF_TRUTH], "%s\n", b);
    }
    cJSON_free(a);
    cJSON_free(b);
    return a && b ? 0 : -1;
}

/* One week of the quarter: metrics, latent NPS, responses, revenue and the
 * department rows.  lat[k][r]: the latent NPS of quarter week k. */
static void quarter_week(gsl_rng *rng, int k, double z[NREG][NMET], double lat[Q_WEEKS][NREG], double *obs_sum,
                         gsl_ran_discrete_t *det_table, gsl_ran_discrete_t *tp_table, long *responses)
{
    const week_info wk = week_of(iso_week1_monday(FIRST_YEAR) + 7L * (NWEEKS + k));
    const double t = (double)(NWEEKS + k), innov_sd = sqrt(1.0 - AR_PHI * AR_PHI);
    long mi[NREG][NMET];
    char wl[16], b1[32], b2[32];
    snprintf(wl, sizeof wl, "%04d-W%02d", wk.iso_year, wk.iso_week);
    for (int r = 0; r < NREG; r++) {
        double x[NMET];
        for (int m = 0; m < NMET; m++) {
            const metric_spec *ms = &METRIC[m];
            z[r][m] = AR_PHI * z[r][m] + innov_sd * gsl_ran_gaussian(rng, 1.0);
            double v = ms->level[r] + ms->trend * (t - 78.0) / 52.0 + ms->sd * z[r][m];
            if (m == M_HANDLING && Q_REACHED[r])
                v += Q_SHARE * Q_PLANNED;
            v = v < ms->lo ? ms->lo : v > ms->hi ? ms->hi : v;
            mi[r][m] = lround(v * ms->scale);
            x[m] = (double)mi[r][m] / ms->scale;
        }
        lat[k][r] = NPS_INTERCEPT + NPS_REGION[r] + NPS_B_CONVERSION * x[M_CONVERSION] + NPS_B_HANDLING * x[M_HANDLING]
            + NPS_B_CTR * x[M_CTR] + NPS_B_DELIVERY * x[M_DELIVERY] + NPS_B_ENPS * x[M_ENPS] + Q_NPS_DRIFT
            + gsl_ran_gaussian(rng, NPS_NOISE_SD);
        obs_sum[r] += quarter_responses(rng, &wk, r, lat[k][r], det_table, tp_table, responses);
    }
    for (int r = 0; r < NREG; r++) {
        const double conv = (double)mi[r][M_CONVERSION] / METRIC[M_CONVERSION].scale;
        const double lag = k >= NPS_LAG ? lat[k - NPS_LAG][r] : nps_latent[NSIM - NPS_LAG + k][r];
        long rev = lround((REV_INTERCEPT + REV_REGION[r] + REV_B_NPS_LAG * lag + REV_B_CONVERSION * conv
                           + REV_SEASON[wk.quarter - 1] + gsl_ran_gaussian(rng, REV_NOISE_SD)) * 100.0);
        long orders = lround((double)rev / 100.0 / (AOV_MEAN + gsl_ran_gaussian(rng, AOV_SD)));
        long sessions = lround((double)orders / (conv / 100.0));
        long ships = lround((double)orders * (SHIP_RATIO_MEAN + gsl_ran_gaussian(rng, SHIP_RATIO_SD)));
        long contacts = lround((double)orders * CONTACT_RATE * (1.0 + gsl_ran_gaussian(rng, CONTACT_REL_SD)));
        fprintf(qout[QF_LOGISTICS], "%s,%s,%s,%ld\n", wl, REGION[r], fixed(b1, sizeof b1, mi[r][M_DELIVERY], 2, '.'),
                ships);
        fprintf(qout[QF_SERVICE], "%s;%s;%s;%ld\r\n", wl, REGION[r],
                fixed(b1, sizeof b1, mi[r][M_HANDLING], 1, ','), contacts);
        fprintf(qout[QF_WEB], "%s,%s,%s,%s,%ld\n", wl, REGION[r], fixed(b1, sizeof b1, mi[r][M_CONVERSION], 2, '.'),
                fixed(b2, sizeof b2, mi[r][M_CTR], 2, '.'), sessions);
        fprintf(qout[QF_FINANCE], "%s;%s;%s;%ld\r\n", wl, REGION[r], fixed(b1, sizeof b1, rev, 2, ','), orders);
        fprintf(qout[QF_HR], "%s\t%s\t%s\n", wl, REGION[r], fixed(b1, sizeof b1, mi[r][M_ENPS], 1, '.'));
    }
}

/* The quarter's files as OUTDIR/review/NAME.tmp, from the metrics' last AR
 * state z; quarter_rename puts them in place. */
static void quarter_write(const char *dir, unsigned long seed, double z[NREG][NMET])
{
    char *sub = join_path(dir, "review", "");
    errno = 0;
    if (mkdir(sub, 0777) != 0 && errno != EEXIST)
        die("cannot create", sub);
    for (int i = 0; i < NQFILE; i++) {
        q_final[i] = join_path(sub, QFILENAME[i], "");
        q_temp[i] = join_path(sub, QFILENAME[i], ".tmp");
        errno = 0;
        if (!(qout[i] = fopen(q_temp[i], "wb"))) {
            quarter_cleanup();
            die("cannot create", q_temp[i]);
        }
    }
    free(sub);
    static const char BOM[] = "\xEF\xBB\xBF";
    fputs("week,region,delivery_days,shipments\n", qout[QF_LOGISTICS]);
    fprintf(qout[QF_SERVICE], "%sweek;region;handling_time_s;contacts\r\n", BOM);
    fputs("week,region,conversion,ctr,sessions\n", qout[QF_WEB]);
    fprintf(qout[QF_FINANCE], "%sweek;region;revenue;orders\r\n", BOM);
    fputs("week\tregion\tenps\n", qout[QF_HR]);
    fputs("date,region,touchpoint,score,comment,customer_id\n", qout[QF_RESPONSES]);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed ^ Q_SEED_XOR);
    gsl_ran_discrete_t *det_table = gsl_ran_discrete_preproc(7, DETRACTOR_WEIGHTS);
    gsl_ran_discrete_t *tp_table = gsl_ran_discrete_preproc(NTP, TOUCHPOINT_WEIGHTS);
    static double lat[Q_WEEKS][NREG];
    double obs_sum[NREG] = {0}, lat_mean[NREG], obs_mean[NREG];
    long responses = 0;
    for (int k = 0; k < Q_WEEKS; k++)
        quarter_week(rng, k, z, lat, obs_sum, det_table, tp_table, &responses);
    for (int r = 0; r < NREG; r++) {
        lat_mean[r] = 0;
        for (int k = 0; k < Q_WEEKS; k++)
            lat_mean[r] += lat[k][r] / Q_WEEKS;
        lat_mean[r] = round(lat_mean[r] * 1e4) / 1e4;
        obs_mean[r] = round(obs_sum[r] / Q_WEEKS * 1e4) / 1e4;
    }
    int bad = quarter_json(seed, lat_mean, obs_mean, responses);
    gsl_ran_discrete_free(det_table);
    gsl_ran_discrete_free(tp_table);
    gsl_rng_free(rng);
    for (int i = 0; i < NQFILE; i++) {
        errno = 0;
        bad |= ferror(qout[i]) != 0;
        bad |= fclose(qout[i]) != 0;
        qout[i] = NULL;
        if (bad) {
            quarter_cleanup();
            die("write error on", q_temp[i]);
        }
    }
    fprintf(stderr, "generate: quarter 2026Q1: %d weeks x %d regions; %ld responses\n", Q_WEEKS, NREG, responses);
}

static void quarter_rename(void)
{
    for (int i = 0; i < NQFILE; i++) {
        errno = 0;
        if (rename(q_temp[i], q_final[i]) != 0)
            die("cannot rename to", q_final[i]);
        free(q_temp[i]);
        free(q_final[i]);
        q_temp[i] = q_final[i] = NULL;
    }
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s OUTDIR [SEED]\n", argv[0]);
        return 64;
    }
    const char *dir = argv[1];

    /* Calendar: 4 burn-in weeks, then 2023-W01 .. 2025-W52. */
    long mon0 = iso_week1_monday(FIRST_YEAR) - 7L * NBURN;
    for (int w = 0; w < NSIM; w++)
        WEEK[w] = week_of(mon0 + 7L * w);
    for (int w = NBURN; w < NSIM; w++) {
        int k = w - NBURN;
        if (WEEK[w].iso_year != FIRST_YEAR + k / 52 || WEEK[w].iso_week != k % 52 + 1) {
            fprintf(stderr, "generate: ISO calendar self-check failed at week %d\n", k);
            return 1;
        }
    }

    build_phrase_index();
    for (int k = 0; k < NCLASS; k++)
        for (int t = 0; t < NTP; t++)
            if (ncand[k][t] == 0) {
                fprintf(stderr, "generate: no phrase for class %d touchpoint %d\n", k, t);
                return 1;
            }

    for (int i = 0; i < NFILE; i++) {
        final_path[i] = join_path(dir, FILENAME[i], "");
        temp_path[i] = join_path(dir, FILENAME[i], ".tmp");
    }
    for (int i = 0; i < NFILE; i++) {
        errno = 0;
        out[i] = fopen(temp_path[i], "wb");
        if (!out[i])
            die("cannot create", temp_path[i]);
    }

    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    unsigned long seed = argc == 3 ? strtoul(argv[2], NULL, 10) : SEED;
    g_seed = seed;
    gsl_rng_set(rng, seed);
    customers_init(seed);
    theme_rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(theme_rng, seed ^ THEME_SEED_XOR);
    gsl_ran_discrete_t *det_table = gsl_ran_discrete_preproc(7, DETRACTOR_WEIGHTS);
    gsl_ran_discrete_t *tp_table = gsl_ran_discrete_preproc(NTP, TOUCHPOINT_WEIGHTS);

    static const char BOM[] = "\xEF\xBB\xBF";
    fputs("week,region,delivery_days,shipments\n", out[F_LOGISTICS]);
    fputs(BOM, out[F_SERVICE]);
    fputs("week;region;handling_time_s;contacts\r\n", out[F_SERVICE]);
    fputs("week,region,conversion,ctr,sessions\n", out[F_WEB]);
    fputs(BOM, out[F_FINANCE]);
    fputs("week;region;revenue;orders\r\n", out[F_FINANCE]);
    fputs("week\tregion\tenps\n", out[F_HR]);
    fputs("date,region,touchpoint,score,comment,customer_id\n", out[F_RESPONSES]);

    double z[NREG][NMET];
    const double innov_sd = sqrt(1.0 - AR_PHI * AR_PHI);

    for (int w = 0; w < NSIM; w++) {
        const week_info *wk = &WEEK[w];
        const int written = w >= NBURN;
        const double t = (double)(w - NBURN);
        char wlabel[16];
        snprintf(wlabel, sizeof wlabel, "%04d-W%02d", wk->iso_year, wk->iso_week);

        /* Step 1, per region in output order: metrics, latent NPS, the
         * cell's survey responses and their observed NPS. */
        for (int r = 0; r < NREG; r++) {
            for (int m = 0; m < NMET; m++) {
                double eps = gsl_ran_gaussian(rng, 1.0);
                z[r][m] = w == 0 ? eps : AR_PHI * z[r][m] + innov_sd * eps;
                const metric_spec *ms = &METRIC[m];
                double v = ms->level[r] + ms->trend * (t - 78.0) / 52.0 + ms->sd * z[r][m];
                if (m == M_DELIVERY && wk->iso_week >= DELIVERY_PEAK_FROM_WEEK)
                    v += DELIVERY_PEAK;
                if (v < ms->lo || v > ms->hi) {
                    v = v < ms->lo ? ms->lo : ms->hi;
                    if (written)
                        clamp_metric_hits[m]++;
                }
                metric_int[w][r][m] = lround(v * ms->scale);
            }

            double nps = NPS_INTERCEPT + NPS_REGION[r]
                + NPS_B_CONVERSION * metric_value(w, r, M_CONVERSION)
                + NPS_B_HANDLING * metric_value(w, r, M_HANDLING)
                + NPS_B_CTR * metric_value(w, r, M_CTR)
                + NPS_B_DELIVERY * metric_value(w, r, M_DELIVERY)
                + NPS_B_ENPS * metric_value(w, r, M_ENPS)
                + gsl_ran_gaussian(rng, NPS_NOISE_SD);
            if (nps < -NPS_CLAMP || nps > NPS_CLAMP) {
                nps = nps < 0 ? -NPS_CLAMP : NPS_CLAMP;
                clamp_nps_hits++;
            }
            nps_latent[w][r] = nps;
            if (written) {
                latent_min = nps < latent_min ? nps : latent_min;
                latent_max = nps > latent_max ? nps : latent_max;
            }

            const double p_prom = (0.70 + nps / 100.0) / 2.0;
            const int n = (int)gsl_ran_poisson(rng, RESP_MEAN[r]);
            if (n > resp_cap[r]) {
                resp_cap[r] = n + 64;
                resp[r] = realloc(resp[r], (size_t)resp_cap[r] * sizeof(response));
                if (!resp[r]) {
                    fprintf(stderr, "generate: out of memory\n");
                    cleanup_temps();
                    return 1;
                }
            }
            nresp[w][r] = n;
            int prom = 0, det = 0;
            for (int i = 0; i < n; i++) {
                response *x = &resp[r][i];
                x->day = (unsigned char)gsl_rng_uniform_int(rng, 7);
                double u = gsl_rng_uniform(rng);
                int cls;
                if (u < p_prom) {
                    cls = CL_PROMOTER;
                    x->score = (unsigned char)(9 + gsl_rng_uniform_int(rng, 2));
                    prom++;
                } else if (u < p_prom + PASSIVE_SHARE) {
                    cls = CL_PASSIVE;
                    x->score = (unsigned char)(7 + gsl_rng_uniform_int(rng, 2));
                } else {
                    cls = CL_DETRACTOR;
                    x->score = (unsigned char)gsl_ran_discrete(rng, det_table);
                    det++;
                }
                x->tp = (unsigned char)gsl_ran_discrete(rng, tp_table);
                x->phrase = -1;
                x->theme = -1;
                if (gsl_rng_uniform(rng) < COMMENT_PROB[cls]) {
                    if (gsl_rng_uniform(rng) < MULTILINE_SHARE)
                        x->phrase = (signed char)multi[gsl_rng_uniform_int(rng, (unsigned long)nmulti)];
                    else
                        x->phrase = (signed char)cand[cls][x->tp][
                            gsl_rng_uniform_int(rng, (unsigned long)ncand[cls][x->tp])];
                }
                if (written)
                    themes_plant(w, r, x);
            }
            if (n > 0) {
                nps_observed[w][r] = 100.0 * (prom - det) / n;
            } else {
                /* Never expected (mean >= 30); fall back to the latent NPS
                 * so the revenue lag stays defined, and count it. */
                nps_observed[w][r] = nps;
                empty_cells++;
            }
        }

        if (!written)
            continue;

        for (int r = 0; r < NREG; r++)
            themes_count_cell(w, r);

        /* Step 2: responses.csv for this week, by date then region. */
        FILE *fr = out[F_RESPONSES];
        for (int day = 0; day < 7; day++) {
            int y, mo, d;
            civil_from_days(wk->monday + day, &y, &mo, &d);
            char date[16];
            snprintf(date, sizeof date, "%04d-%02d-%02d", y, mo, d);
            for (int r = 0; r < NREG; r++) {
                for (int i = 0; i < nresp[w][r]; i++) {
                    const response *x = &resp[r][i];
                    if (x->day != day)
                        continue;
                    fprintf(fr, "%s,%s,%s,%d,", date, REGION[r], TOUCHPOINT[x->tp], x->score);
                    if (x->phrase >= 0) {
                        put_csv_field(fr, comment_text(x));
                        comment_counts[PHRASES[x->phrase].cls < 0 ? 2 : 1]++;
                    } else {
                        comment_counts[0]++;
                    }
                    customers_put_id(fr, r, x->score);
                    fputc('\n', fr);
                    total_responses_written++;
                }
            }
        }
        /* Responses are regenerated per week; the buffers are reused. */

        /* Step 3: revenue and volumes, department rows. */
        for (int r = 0; r < NREG; r++) {
            const double conv = metric_value(w, r, M_CONVERSION);
            double revenue = REV_INTERCEPT + REV_REGION[r]
                + REV_B_NPS_LAG * nps_latent[w - NPS_LAG][r]
                + REV_B_CONVERSION * conv
                + REV_SEASON[wk->quarter - 1]
                + gsl_ran_gaussian(rng, REV_NOISE_SD);
            long rev_cents = lround(revenue * 100.0);
            double aov = AOV_MEAN + gsl_ran_gaussian(rng, AOV_SD);
            long orders = lround((double)rev_cents / 100.0 / aov);
            long sessions = lround((double)orders / (conv / 100.0));
            long shipments = lround((double)orders * (SHIP_RATIO_MEAN + gsl_ran_gaussian(rng, SHIP_RATIO_SD)));
            long contacts = lround((double)orders * CONTACT_RATE * (1.0 + gsl_ran_gaussian(rng, CONTACT_REL_SD)));

            char b1[32], b2[32];
            const char *reg = REGION[r];

            /* logistics.csv */
            if (in_list(MISSING_DELIVERY, NELEM(MISSING_DELIVERY), wk, r))
                b1[0] = '\0';
            else
                fixed(b1, sizeof b1, metric_int[w][r][M_DELIVERY], 2, '.');
            fprintf(out[F_LOGISTICS], "%s,%s,%s,%ld\n", wlabel, reg, b1, shipments);
            rows_written[F_LOGISTICS]++;

            /* service.csv (Dutch Excel) */
            fprintf(out[F_SERVICE], "%s;%s;%s;%ld\r\n", wlabel, reg,
                    fixed(b1, sizeof b1, metric_int[w][r][M_HANDLING], 1, ','), contacts);
            rows_written[F_SERVICE]++;

            /* web.csv */
            fixed(b1, sizeof b1, metric_int[w][r][M_CONVERSION], 2, '.');
            if (in_list(MISSING_CTR, NELEM(MISSING_CTR), wk, r))
                b2[0] = '\0';
            else
                fixed(b2, sizeof b2, metric_int[w][r][M_CTR], 2, '.');
            fprintf(out[F_WEB], "%s,%s,%s,%s,%ld\n", wlabel, reg, b1, b2, sessions);
            rows_written[F_WEB]++;

            /* finance.csv (Dutch Excel) */
            fprintf(out[F_FINANCE], "%s;%s;%s;%ld\r\n", wlabel, reg,
                    fixed(b1, sizeof b1, rev_cents, 2, ','), orders);
            rows_written[F_FINANCE]++;

            /* hr.csv (tab separated) */
            if (!in_list(HR_OMITTED, NELEM(HR_OMITTED), wk, r)) {
                fprintf(out[F_HR], "%s\t%s\t%s\n", wlabel, reg,
                        fixed(b1, sizeof b1, metric_int[w][r][M_ENPS], 1, '.'));
                rows_written[F_HR]++;
            }
        }
    }
    rows_written[F_RESPONSES] = total_responses_written;
    if (customers_write(out[F_CUSTOMERS], out[F_CUSTOMERS_TRUTH], seed, NSIM - 1) != 0) {
        fprintf(stderr, "generate: cannot build customers_truth.json\n");
        cleanup_temps();
        return 1;
    }

    char *truth = build_truth();
    if (!truth) {
        fprintf(stderr, "generate: cannot build truth.json\n");
        cleanup_temps();
        return 1;
    }
    fputs(truth, out[F_TRUTH]);
    fputc('\n', out[F_TRUTH]);
    cJSON_free(truth);

    for (int i = 0; i < NFILE; i++) {
        errno = 0;
        if (ferror(out[i]))
            io_error = 1;
        if (fclose(out[i]) != 0)
            io_error = 1;
        out[i] = NULL;
        if (io_error)
            die("write error on", temp_path[i]);
    }
    quarter_write(dir, seed, z); /* its own generator: the files above do not move */
    for (int i = 0; i < NFILE; i++) {
        errno = 0;
        if (rename(temp_path[i], final_path[i]) != 0)
            die("cannot rename to", final_path[i]);
        free(temp_path[i]);
        temp_path[i] = NULL;
    }
    quarter_rename();

    fprintf(stderr, "generate: %d weeks x %d regions; %ld responses "
            "(%ld empty, %ld one-line, %ld multi-line comments); "
            "latent NPS %.2f..%.2f; NPS clamp hits %ld; empty cells %ld\n",
            NWEEKS, NREG, total_responses_written, comment_counts[0],
            comment_counts[1], comment_counts[2], latent_min, latent_max,
            clamp_nps_hits, empty_cells);
    for (int t = 0; t < NTHEME; t++)
        fprintf(stderr, "generate: theme '%s': %ld bad cells, %ld comments\n",
                THEMES[t].name, theme_cells[t], theme_comments[t]);
    for (int m = 0; m < NMET; m++)
        if (clamp_metric_hits[m])
            fprintf(stderr, "generate: %s clamped %ld times\n",
                    METRIC[m].name, clamp_metric_hits[m]);

    for (int r = 0; r < NREG; r++)
        free(resp[r]);
    for (int i = 0; i < NFILE; i++)
        free(final_path[i]);
    gsl_ran_discrete_free(det_table);
    gsl_ran_discrete_free(tp_table);
    gsl_rng_free(rng);
    gsl_rng_free(theme_rng);
    return 0;
}
