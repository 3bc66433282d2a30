// layer: gateway
/*
 * Fuzz target for the gateway's identification request parser
 * (gateway/identify.h, POST /v1/identify). The first input byte picks the
 * Content-Type: bit 0 clear is application/json, set is
 * application/x-ansi-nist (an RPIS transaction); bit 1 appends
 * "; charset=utf-8". The rest is the body.
 *
 * Only gw_identify_parse() and the audit writer run: no server, store, router
 * or network. Checked contracts (abort() on a breach):
 *   - a refusal carries an HTTP status 400/413/415/422 (500 only for memory), an
 *     error code and a message, and leaves the request zeroed;
 *   - an acceptance holds a TCN, a reason, the subject codes and either two
 *     fingers at distinct positions 1..10 with data, or none with
 *     consent-refused; its audit members are writable.
 * The request is cleared (finger data wiped) on every path, so ASan's leak
 * check covers the parser's ownership.
 */
#include "identify.h"

#include "mid/json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool is_zero(const void *p, size_t n) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != 0) {
            return false;
        }
    }
    return true;
}

static void check_refusal(const gw_identify_request *req, const gw_identify_problem *p) {
    if (p->status != 400 && p->status != 413 && p->status != 415 && p->status != 422 &&
        p->status != 500) {
        abort();
    }
    if (p->code == NULL || p->code[0] == '\0' || p->message[0] == '\0' ||
        memchr(p->message, '\0', sizeof(p->message)) == NULL) {
        abort();
    }
    if (!is_zero(req, sizeof(*req))) {
        abort(); /* a refused request must own nothing */
    }
}

static void check_accepted(mid_ctx *ctx, const gw_identify_request *req) {
    if (req->tcn[0] == '\0' || req->reason == NULL || req->incident[0] == '\0' ||
        req->ethnicity[0] == '\0' || req->age_band[0] == '\0' || req->gender[0] == '\0' ||
        (unsigned)req->basis >= GW_BASIS_COUNT) {
        abort();
    }
    size_t want = req->basis == GW_BASIS_CONSENT_REFUSED ? 0 : GW_ID_FINGERS;
    if (req->n_fingers != want) {
        abort();
    }
    for (size_t i = 0; i < req->n_fingers; i++) {
        const gw_id_finger *f = &req->fingers[i];
        if (f->position < 1 || f->position > 10 || f->data == NULL || f->len == 0 ||
            (unsigned)f->format >= GW_FMT_COUNT || f->width < 1 || f->height < 1) {
            abort();
        }
        for (size_t k = 0; k < i; k++) {
            if (req->fingers[k].position == f->position) {
                abort();
            }
        }
    }
    mid_json_writer *w = NULL;
    if (mid_json_writer_create(ctx, &w) != MID_OK) {
        return;
    }
    mid_json_begin_object(w);
    gw_identify_audit_request(w, req);
    mid_json_end_object(w);
    char *text = NULL;
    size_t n = 0;
    if (mid_json_writer_finish(w, &text, &n) != MID_OK) {
        abort(); /* validated texts must always be writable */
    }
    mid_free(text);
    mid_json_writer_free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) {
        return 0;
    }
    static const char *const types[4] = {"application/json", "application/x-ansi-nist",
                                         "application/json; charset=utf-8",
                                         "application/x-ansi-nist; charset=utf-8"};
    const char *ct = types[data[0] & 3u];
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        return 0;
    }
    gw_identify_request req;
    gw_identify_problem prob;
    if (gw_identify_parse(ctx, ct, data + 1, size - 1, &req, &prob)) {
        check_accepted(ctx, &req);
    } else {
        check_refusal(&req, &prob);
    }
    gw_identify_request_clear(&req);
    mid_ctx_free(ctx);
    return 0;
}
