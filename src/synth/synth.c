/* The synth handle and the names of the enumerations of mid/synth.h. */
#include "core/core.h"
#include "synth/synth_internal.h"

#include <stdlib.h>
#include <string.h>

mid_status mid_synth_create(mid_ctx *ctx, mid_synth **out) {
    if (out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "mid_synth_create: out is NULL");
    }
    *out = NULL;
    mid_synth *s = core_calloc(1, sizeof(*s));
    if (s == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "mid_synth_create: out of memory");
    }
    s->ctx = ctx;
    *out = s;
    return MID_OK;
}

void mid_synth_free(mid_synth *s) {
    if (s == NULL) {
        return;
    }
    for (int k = 0; k < SYNTH_SCRATCH_COUNT; k++) {
        if (s->scratch[k] != NULL && s->scratch_free[k] != NULL) {
            s->scratch_free[k](s->scratch[k]);
        }
    }
    free(s);
}

static const char *const CLASS_NAMES[] = {"arch", "tented-arch", "left-loop", "right-loop",
                                          "whorl"};
static const char *const PROFILE_NAMES[MID_PROFILE_COUNT] = {"optical", "small-sensor",
                                                             "mobile-fap45"};
static const char *const CONDITION_NAMES[MID_CONDITION_COUNT] = {
    "random", "normal", "dry", "wet", "distorted", "small-area"};

const char *mid_finger_class_name(mid_finger_class c) {
    return (unsigned)c < 5 ? CLASS_NAMES[c] : "?";
}

const char *mid_synth_profile_name(mid_synth_profile p) {
    return (unsigned)p < MID_PROFILE_COUNT ? PROFILE_NAMES[p] : "?";
}

const char *mid_synth_condition_name(mid_synth_condition c) {
    return (unsigned)c < MID_CONDITION_COUNT ? CONDITION_NAMES[c] : "?";
}

static int parse(const char *name, const char *const *names, int n) {
    if (name == NULL) {
        return -1;
    }
    for (int k = 0; k < n; k++) {
        if (strcmp(name, names[k]) == 0) {
            return k;
        }
    }
    return -1;
}

int mid_synth_profile_parse(const char *name) {
    return parse(name, PROFILE_NAMES, MID_PROFILE_COUNT);
}

int mid_synth_condition_parse(const char *name) {
    return parse(name, CONDITION_NAMES, MID_CONDITION_COUNT);
}
