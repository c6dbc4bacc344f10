/*
 * sample_doc.h - samples/scenario.json as a cJSON document to vary, its
 * model and data paths made absolute so that a copy loads from anywhere
 * (the unit tests of scenario files and of the workbook), and a varied
 * document loaded as a scenario.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_TEST_SAMPLE_DOC_H
#define CX_TEST_SAMPLE_DOC_H

#include <cjson/cJSON.h>

#include "helpers.h"
#include "core/jsonin.h"

#ifndef TOP
#define TOP "."
#endif

static inline cJSON *sample_doc(void)
{
    cJSON *doc = NULL;
    assert_int_equal(cx_json_load(TOP "/samples/scenario.json", &doc, NULL), CX_OK);
    cJSON_ReplaceItemInObjectCaseSensitive(doc, "model", cJSON_CreateString(TOP "/models/cx_chain.json"));
    cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(doc, "data"))
    {
        cJSON *file = cJSON_GetObjectItemCaseSensitive(f, "file");
        char path[4096];
        snprintf(path, sizeof path, "%s/samples/%s", TOP, file->valuestring);
        cJSON_SetValuestring(file, path);
    }
    return doc;
}


/* The sample with next-day delivery moving delivery days to `level` (a
 * target instead of a change; its uncertainty and correlation dropped). */
static inline cJSON *sample_doc_with_target(double level)
{
    cJSON *doc = sample_doc();
    cJSON *eff = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "initiatives"), 0),
                                         "effects"),
        0);
    cJSON_DeleteItemFromObjectCaseSensitive(eff, "change");
    cJSON_DeleteItemFromObjectCaseSensitive(eff, "uncertainty");
    cJSON_AddNumberToObject(eff, "target", level);
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "correlations");
    return doc;
}

/* Load a scenario document (consumed) from a temporary file, whose path the
 * caller removes with tmp_remove. */
static inline cx_scenario *load_doc(cJSON *doc, char **path)
{
    char *out = cJSON_Print(doc);
    cJSON_Delete(doc);
    *path = tmp_file(out, strlen(out));
    free(out);
    cx_scenario *s = NULL;
    cx_error err;
    cx_error_init(&err);
    if (cx_scenario_load(*path, &s, &err) != CX_OK)
        fail_msg("%s", err.message);
    return s;
}

#endif /* CX_TEST_SAMPLE_DOC_H */
