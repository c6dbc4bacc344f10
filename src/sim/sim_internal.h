/*
 * sim_internal.h - what the report reads from a simulation (internal to the
 * library): the result as the JSON tree of its contract (README "cxcase
 * simulate"), and the files it read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_SIM_SIM_INTERNAL_H
#define CX_SIM_SIM_INTERNAL_H

#include <cjson/cJSON.h>
#include "cxcase/model.h"
#include "cxcase/sim.h"

/* The result, borrowed: valid until the simulation is freed. */
const cJSON *cx_simulation_root(const cx_simulation *sim);
/* The fitted model, borrowed likewise. */
const cx_model *cx_simulation_model(const cx_simulation *sim);
/* The projection plan (sets 0 .. nscenarios - 1 are the file's scenarios). */
struct cx_plan;
const struct cx_plan *cx_simulation_plan(const cx_simulation *sim);
/* The panel the model was fitted on (period column, unit columns, the rest). */
const cx_table *cx_simulation_panel(const cx_simulation *sim, size_t *unit_cols);

#endif
