/*
 * cmd_check.c - `cxcase check`: read and check a scenario file without
 * running it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cxcase/sim.h"

#include "cli.h"

static const char usage_text[] =
    "usage: cxcase check SCENARIO.json [--json] [--text COLUMNS] [--max-json SIZE]\n"
    "\n"
    "Read a scenario file and check it without running it: JSON syntax (with line\n"
    "and column), keys (case-sensitive; unknown and duplicated keys are errors),\n"
    "types, impossible values (a margin above 1, negative draws, a ramp longer than\n"
    "the horizon, quarters outside it, a distribution whose range misses its value),\n"
    "references (initiative ids in scenarios, JSON Pointers in correlations), and\n"
    "that the data and model files exist, the model loads and every effect names a\n"
    "metric the model uses.  Then everything `simulate` needs of the data that can\n"
    "be known without fitting: every data file reads (with its source's options),\n"
    "the files join, every equation finds its columns with the right types, every\n"
    "column the model uses has a baseline in every unit; a horizon that starts\n"
    "inside the data or years after them is a warning.  Errors name the JSON\n"
    "Pointer of the value, or the file, line and column of a bad cell.  The format:\n"
    "models/scenario.schema.json and samples/scenario.json.\n"
    "\n"
    "  --json           print {\"ok\": true, ...} on stdout\n"
    "  --text COLUMNS   read these columns of the data as text, as for simulate\n"
    "  --max-json SIZE  the largest JSON file read, in bytes (k, M, G: powers of\n"
    "                   1024; default 64M); a larger one is an error\n"
    "\n"
    "exit status: 0 the scenario is fine, 64 bad usage, 65 the scenario (or a file\n"
    "it names) is wrong, 66 the scenario file cannot be opened.\n";

int cmd_check(int argc, char **argv)
{
    const char *cmd = "check", *path = NULL;
    int json = 0, rc;
    cx_sim_options o;
    memset(&o, 0, sizeof o);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf(usage_text);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if ((rc = cli_limit_arg(cmd, argc, argv, &i)) >= 0) {
            if (rc)
                return rc;
        } else if (strcmp(argv[i], "--text") == 0) {
            if ((rc = cli_sim_option(cmd, argc, argv, &i, &o)) != 0)
                return rc;
        } else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error(cmd, "unknown option '%s'", argv[i]);
        else if (path)
            return cli_usage_error(cmd, "expected one scenario file, found '%s' and '%s'", path, argv[i]);
        else
            path = argv[i];
    }
    if (!path)
        return cli_usage_error(cmd, "expected a scenario file");
    cx_error err;
    cx_error_init(&err);
    cx_scenario *s = NULL;
    cx_warnings *warn = cx_warnings_new(), *notes = cx_warnings_new();
    o.notes = notes;
    if (!warn || !notes || cx_scenario_load(path, &s, &err) != CX_OK ||
        cx_scenario_check_data(s, &o, warn, &err) != CX_OK) {
        if (!warn || !notes)
            cx_error_set(&err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        cli_print_notes(notes);
        cx_scenario_free(s);
        cx_warnings_free(warn);
        cx_warnings_free(notes);
        return cli_fail(&err);
    }
    cli_print_notes(notes);
    cx_warnings_free(notes);
    if (json) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddBoolToObject(doc, "ok", 1);
        cJSON_AddStringToObject(doc, "name", cx_scenario_name(s));
        cJSON_AddStringToObject(doc, "currency", cx_scenario_currency(s));
        cJSON_AddNumberToObject(doc, "initiatives", (double)cx_scenario_ninitiatives(s));
        cJSON_AddNumberToObject(doc, "scenarios", (double)cx_scenario_nscenarios(s));
        cJSON_AddStringToObject(doc, "start", cx_scenario_start(s));
        cJSON_AddNumberToObject(doc, "horizon_quarters", cx_scenario_horizon(s));
        cJSON *wj = cJSON_AddArrayToObject(doc, "warnings");
        for (size_t i = 0; i < cx_warnings_count(warn); i++)
            cJSON_AddItemToArray(wj, cJSON_CreateString(cx_warnings_get(warn, i)));
        rc = cli_print_json(doc);
    } else {
        cli_print_warnings(warn);
        printf("%s: ok: '%s', %zu initiatives, %zu scenarios, %d quarters from %s, in %s\n", path,
               cx_scenario_name(s), cx_scenario_ninitiatives(s), cx_scenario_nscenarios(s), cx_scenario_horizon(s),
               cx_scenario_start(s), cx_scenario_currency(s));
        rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_IOERR;
    }
    cx_scenario_free(s);
    cx_warnings_free(warn);
    return rc;
}
