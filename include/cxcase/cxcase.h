/*
 * cxcase/cxcase.h - the umbrella header of libcxcase.
 *
 * libcxcase turns customer-experience data into investment business cases.
 * Include this one header; link with `pkg-config --libs cxcase`.
 *
 *     #include <cxcase/cxcase.h>
 *
 *     int main(void) {
 *         cx_error err;
 *         cx_error_init(&err);
 *         cx_table *t = NULL;
 *         if (cx_csv_read("web.csv", NULL, &t, &err) != CX_OK) return 1;
 *         printf("%zu rows, %zu columns\n", cx_table_nrows(t), cx_table_ncols(t));
 *         cx_table_free(t);
 *         return 0;
 *     }
 *
 * Copyright (C) 2026 the cxcase authors.  SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CXCASE_CXCASE_H
#define CXCASE_CXCASE_H

#include "common.h"
#include "data.h"
#include "model.h"
#include "scenario.h"
#include "sim.h"
#include "report.h"
#include "review.h"
#include "customer.h"
#include "voice.h"

#endif /* CXCASE_CXCASE_H */
