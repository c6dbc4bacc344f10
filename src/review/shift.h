/*
 * shift.h - the model shift of a review (shift.c): the case's model refitted
 * on the data up to the reviewed quarter, as a candidate.  Never installed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_REVIEW_SHIFT_H
#define CX_REVIEW_SHIFT_H

#include "frozen.h"

/* The "model_shift" member of the review of case f for the horizon's
 * quarter Q on `panel`: per equation the Chow predictive-failure test and
 * per coefficient the frozen and refitted values with z.  A model file
 * that is no specification, or a refit that fails, gives null equations
 * and a note.  Caller frees *out with cJSON_Delete. */
cx_status cx_shift_json(const frozen *f, const cx_table *panel, int Q, cJSON **out, cx_error *err);

#endif
