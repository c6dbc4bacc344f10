/*
 * report.c - the business case as an Excel workbook, written with
 * libxlsxwriter (cxcase/report.h; README "cxcase report").
 *
 * The outputs of a simulation are written as values: Summary (one
 * landscape page), Risk, Sensitivity, Portfolio and About.  Every number
 * comes from the simulation's result (the JSON contract of `cxcase
 * simulate`), so the workbook and `simulate --json` agree by construction.
 * The case itself is live formulas over Inputs (every assumption and every
 * baseline, with defined names) and Model (the coefficients): a sheet per
 * scenario with its quarters, and beside a scenario whose changes differ
 * per unit (a non-linear term, a target level) a U sheet that works them
 * out per unit and segment of periods; every formula stores the engine's
 * value as its result, and Checks sets their totals beside the engine's.
 * Text from the scenario and the data is written with
 * worksheet_write_string, never as a formula.  Any failed allocation fails
 * the whole workbook, which is written to a temporary file and renamed
 * only when complete.
 *
 * This file puts the workbook together; each family of sheets is a file of
 * its own beside it, sharing report_sheet.h (formats, names, cell helpers).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <xlsxwriter.h>

#include "cxcase/report.h"
#include "../core/core.h"
#include "../sim/scenario_internal.h"
#include "../model/model_internal.h"
#include "../sim/plan_internal.h"
#include "../sim/sim_internal.h"
#include "report_internal.h"
#include "report_sheet.h"


/* "S1 Delivery first": the sheet of scenario k, a name of at most 31
 * characters that no formula referring to the sheet can mistake for more. */
static void sheet_name(char prefix, size_t k, const char *nm, char *out, size_t size)
{
    char clean[64];
    size_t o = 0;
    for (const char *q = nm; *q && o < sizeof clean - 1; q++) {
        /* letters (also beyond ASCII), digits, spaces, - & . */
        unsigned char ch = (unsigned char)*q;
        int keep = ch >= 0x80 || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                   ch == ' ' || ch == '-' || ch == '&' || ch == '.';
        if (keep)
            clean[o++] = *q;
        else if (o > 0 && clean[o - 1] != ' ')
            clean[o++] = ' ';
    }
    clean[o] = '\0';
    char full[96];
    snprintf(full, sizeof full, "%c%zu %s", prefix, k + 1, clean);
    snprintf(out, size, "%.31s", full);
    /* no trailing space, and not cut inside a UTF-8 character */
    size_t l = strlen(out);
    while (l > 0 && ((unsigned char)out[l - 1] & 0xC0) == 0x80)
        l--;
    if (l > 0 && ((unsigned char)out[l - 1] & 0x80))
        l--;
    while (l > 0 && out[l - 1] == ' ')
        l--;
    out[l] = '\0';
}

/* ---- the workbook ---------------------------------------------------------- */

cx_status cx_report_write(const cx_scenario *s, const cx_simulation *sim, const char *path,
                          const cx_report_options *opt, cx_error *err)
{
    const cJSON *root = cx_simulation_root(sim);
    char created[32];
    time_t now = cx_time_now(); /* SOURCE_DATE_EPOCH when set */
    if (opt && opt->created)
        snprintf(created, sizeof created, "%s", opt->created);
    else
        cx_time_iso(now, created, sizeof created);
    /* The workbook is assembled in a scratch file (unlinked at once:
     * nothing is left behind whatever ends the process), which
     * libxlsxwriter writes through /proc/self/fd/N; only then is it copied
     * into a temporary beside the target, made with O_EXCL (a planted
     * symlink is never followed), and renamed.  libxlsxwriter thus never
     * opens a name in the output folder, and a full disk there is reported
     * by the copy, with the system's reason, rather than by libxlsxwriter's
     * own [ERROR] lines. */
    cx_status ost = cx_output_check(path, err);
    if (ost != CX_OK)
        return ost;
    int zfd;
    char tmp[32];
    if ((ost = cx_scratch_open(path, &zfd, tmp, err)) != CX_OK)
        return ost;
    /* constant-memory mode: every sheet is written row by row, so a big Data
     * sheet does not hold its rows in memory */
    lxw_workbook_options wo = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    rep r = {0};
    r.wb = workbook_new_opt(tmp, &wo);
    r.root = root;
    r.s = s;
    snprintf(r.created, sizeof r.created, "%s", created);
    r.plan = cx_simulation_plan(sim);
    r.model = cx_simulation_model(sim);
    r.link = opt ? opt->link : NULL;
    snprintf(r.currency, sizeof r.currency, "%s", cx_scenario_currency(s));
    size_t unit_cols = 0;
    const cx_table *panel = cx_simulation_panel(sim, &unit_cols);
    rep_words(&r, panel, unit_cols);
    if (!r.wb) {
        close(zfd);
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory for the workbook");
    }
    rep_make_formats(&r);
    lxw_worksheet *wsum = workbook_add_worksheet(r.wb, "Summary");
    lxw_worksheet *winp = workbook_add_worksheet(r.wb, "Inputs");
    lxw_worksheet *wmod = workbook_add_worksheet(r.wb, "Model");
    const cJSON *scens = cJSON_GetObjectItemCaseSensitive(root, "scenarios");
    size_t nscen = (size_t)cJSON_GetArraySize(scens);
    sheet_out *so = cx_calloc(nscen + 1, sizeof(sheet_out));
    unit_out *uo = cx_calloc(nscen + 1, sizeof(unit_out));
    lxw_worksheet **wsc = cx_calloc(nscen + 1, sizeof(lxw_worksheet *));
    if (!so || !uo || !wsc) {
        cx_free(so);
        cx_free(uo);
        cx_free(wsc);
        rep_workbook_abandon(r.wb);
        close(zfd);
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (size_t k = 0; k < nscen; k++) {
        const char *nm = str(cJSON_GetArrayItem(scens, (int)k), "name");
        sheet_name('S', k, nm, so[k].name, sizeof so[k].name);
        if (!(wsc[k] = workbook_add_worksheet(r.wb, so[k].name))) {
            snprintf(so[k].name, sizeof so[k].name, "S%zu", k + 1);
            wsc[k] = workbook_add_worksheet(r.wb, so[k].name);
        }
        size_t np = 0;
        cx_plan_paths(r.plan, k, &np);
        if (np == 0) {
            /* its changes differ per unit: worked out on a U sheet beside it */
            sheet_name('U', k, nm, uo[k].name, sizeof uo[k].name);
            if (!(uo[k].ws = workbook_add_worksheet(r.wb, uo[k].name))) {
                snprintf(uo[k].name, sizeof uo[k].name, "U%zu", k + 1);
                uo[k].ws = workbook_add_worksheet(r.wb, uo[k].name);
            }
            r.oom |= !uo[k].ws;
        }
    }
    lxw_worksheet *wchk = workbook_add_worksheet(r.wb, "Checks");
    lxw_worksheet *wrisk = workbook_add_worksheet(r.wb, "Risk");
    lxw_worksheet *wsens = workbook_add_worksheet(r.wb, "Sensitivity");
    lxw_worksheet *wbe = workbook_add_worksheet(r.wb, "Break-even");
    lxw_worksheet *wpf = workbook_add_worksheet(r.wb, "Portfolio");
    lxw_worksheet *wdata = workbook_add_worksheet(r.wb, "Data");
    lxw_worksheet *wvoice = rep_voice_wanted(&r) ? workbook_add_worksheet(r.wb, "Voice") : NULL;
    lxw_worksheet *wab = workbook_add_worksheet(r.wb, "About");
    lxw_worksheet *wcd = workbook_add_worksheet(r.wb, "Chart data");
    lxw_worksheet *wias = workbook_add_worksheet(r.wb, "Inputs as simulated");
    r.so = so;
    r.nscen = nscen;
    rep_inputs_sheet(&r, winp);
    rep_model_sheet(&r, wmod, cx_simulation_model(sim));
    for (size_t k = 0; k < nscen; k++)
        rep_scenario_sheet(&r, wsc[k], k, cJSON_GetArrayItem(scens, (int)k), cx_simulation_plan(sim),
                           cx_simulation_model(sim), &so[k], uo[k].ws ? &uo[k] : NULL);
    rep_checks_sheet(&r, wchk, so, nscen);
    rep_summary_sheet(&r, wsum, created);
    rep_chart_data_sheet(&r, wcd);
    rep_break_even_sheet(&r, wbe, so, nscen);
    cx_free(wsc);
    cx_free(uo);
    cx_free((void *)r.base_name);
    rep_risk_sheet(&r, wrisk);
    rep_sensitivity_sheet(&r, wsens);
    rep_portfolio_sheet(&r, wpf);
    cx_status dst = rep_data_sheet(&r, wdata, panel, unit_cols, cx_simulation_model(sim), 0, err);
    if (dst == CX_OK && wvoice)
        dst = rep_voice_sheet(&r, wvoice, err);
    rep_about_sheet(&r, wab, opt, created);
    rep_inputs_as_simulated(&r, wias);
    cx_free(so);
    lxw_doc_properties props = {.title = (char *)cx_scenario_name(s), .subject = "Business case",
                                .author = "cxcase", .comments = "Written by cxcase report",
                                .created = now};
    workbook_set_properties(r.wb, &props);
    if (dst == CX_OK && r.oom)
        dst = cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory while writing the workbook");
    lxw_error le = LXW_NO_ERROR;
    if (dst == CX_OK)
        le = workbook_close(r.wb);
    else
        rep_workbook_abandon(r.wb); /* failed: nothing to assemble */
    for (size_t i = 0; i < r.nnames; i++)
        cx_free(r.names[i]);
    cx_free(r.names);
    cx_free(r.nval);
    if (dst == CX_OK && le != LXW_NO_ERROR)
        dst = cx_error_set(err, CX_EIO, path, 0, 0, "writing the workbook failed: %s", lxw_strerror(le));
    cx_outfile of;
    if (dst == CX_OK && (dst = cx_outfile_open(&of, path, err)) == CX_OK) {
        dst = cx_outfile_copy_fd(&of, zfd, err);
        if (dst == CX_OK)
            dst = cx_outfile_commit(&of, err);
        else
            cx_outfile_abort(&of);
    }
    close(zfd);
    return dst;
}
