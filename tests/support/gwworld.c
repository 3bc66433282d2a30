#include "gwworld.h"
#include "testutil.h"

#include "mid/an2k.h"
#include "mid/extract.h"
#include "mid/person.h"
#include "mid/store.h"
#include "mid/wsq.h"

#include <stdio.h>
#include <string.h>

#define GWW_SEED 1u

static const unsigned probe_fingers[2] = {2, 7};

static void check(mid_status st, const char *what) {
    if (st != MID_OK) {
        fail_msg("%s: %s (%s)", what, mid_status_name(st), mid_ctx_error(tu_ctx));
    }
}

static bool listed(const uint64_t *list, size_t n, uint64_t p) {
    for (size_t i = 0; i < n; i++) {
        if (list[i] == p) {
            return true;
        }
    }
    return false;
}

/* Enrols person p's finger f in db from rendered impression 1 (optical tenprint). */
static void put_rendered(mid_store *st, mid_synth *s, mid_extractor *ex, mid_db db, uint64_t p,
                         unsigned f) {
    mid_synth_master *m = NULL;
    mid_image *img = NULL;
    mid_template *t = NULL;
    check(mid_synth_master_create(s, GWW_SEED, p, f, &m), "master");
    check(mid_synth_impression(s, m, 1, NULL, &img, NULL), "impression");
    check(mid_extract(ex, img, &t), "extract");
    check(mid_template_set_finger(tu_ctx, t, (uint8_t)f, 0), "finger");
    check(mid_store_print_put(st, tu_ctx, db, p, f, t), "print put");
    mid_template_free(t);
    mid_image_free(img);
    mid_synth_master_free(m);
}

void gww_build(const char *store_uri, const gww_config *cfg) {
    mid_store *st = NULL;
    mid_synth *s = NULL;
    mid_extractor *ex = NULL;
    check(mid_store_open(tu_ctx, store_uri, &st), "store open");
    check(mid_synth_create(tu_ctx, &s), "synth");
    check(mid_extractor_create(tu_ctx, &ex), "extractor");
    check(mid_store_begin(st, tu_ctx), "begin");
    char buf[MID_PERSON_FORMAT_MAX];
    for (uint64_t p = 0; p < cfg->persons; p++) {
        mid_person rec;
        check(mid_synth_person(s, GWW_SEED, p, &rec), "person");
        size_t n = mid_person_write(&rec, MID_PERSON_JSONL, buf, sizeof(buf));
        assert_true(n > 1);
        check(mid_store_person_put(st, tu_ctx, buf, n - 1), "person put");
        bool rendered = listed(cfg->rendered, cfg->n_rendered, p);
        for (size_t k = 0; k < 2; k++) {
            unsigned f = probe_fingers[k];
            if (rendered) {
                put_rendered(st, s, ex, MID_DB_IDENT1, p, f);
                if (listed(cfg->iabs_also, cfg->n_iabs_also, p)) {
                    put_rendered(st, s, ex, MID_DB_IABS, p, f);
                }
                continue;
            }
            mid_template *t = NULL;
            check(mid_synth_template(s, GWW_SEED, p, f, 1, &t), "direct template");
            check(mid_store_print_put(st, tu_ctx, MID_DB_IDENT1, p, f, t), "print put");
            if (p >= cfg->iabs_from) {
                check(mid_store_print_put(st, tu_ctx, MID_DB_IABS, p, f, t), "print put");
            }
            mid_template_free(t);
        }
    }
    check(mid_store_commit(st, tu_ctx), "commit");
    mid_extractor_free(ex);
    mid_synth_free(s);
    mid_store_close(st);
}

void gww_probe_make(uint64_t person, uint32_t impression, mid_synth_condition condition,
                    gww_probe *out) {
    memset(out, 0, sizeof(*out));
    mid_synth *s = NULL;
    check(mid_synth_create(tu_ctx, &s), "synth");
    mid_synth_impression_opts opts = {MID_PROFILE_MOBILE_FAP45, condition, 0, 0};
    for (size_t k = 0; k < 2; k++) {
        mid_synth_master *m = NULL;
        check(mid_synth_master_create(s, GWW_SEED, person, probe_fingers[k], &m), "master");
        check(mid_synth_impression(s, m, impression, &opts, &out->image[k], NULL), "impression");
        void *wsq = NULL;
        check(mid_wsq_encode(tu_ctx, out->image[k], MID_WSQ_DEFAULT_BITRATE, &wsq, &out->len[k]),
              "wsq");
        out->wsq[k] = malloc(out->len[k]);
        assert_non_null(out->wsq[k]);
        memcpy(out->wsq[k], wsq, out->len[k]);
        mid_wipe(wsq, out->len[k]);
        mid_free(wsq);
        mid_synth_master_free(m);
    }
    mid_synth_free(s);
}

void gww_probe_free(gww_probe *p) {
    for (size_t k = 0; k < 2; k++) {
        if (p->wsq[k] != NULL) {
            mid_wipe(p->wsq[k], p->len[k]);
            free(p->wsq[k]);
        }
        mid_image_free(p->image[k]);
    }
    memset(p, 0, sizeof(*p));
}

char *gww_base64(const uint8_t *data, size_t n) {
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc((n + 2) / 3 * 4 + 1);
    assert_non_null(out);
    size_t j = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16;
        v |= i + 1 < n ? (uint32_t)data[i + 1] << 8 : 0u;
        v |= i + 2 < n ? (uint32_t)data[i + 2] : 0u;
        out[j++] = tab[(v >> 18) & 63u];
        out[j++] = tab[(v >> 12) & 63u];
        out[j++] = i + 1 < n ? tab[(v >> 6) & 63u] : '=';
        out[j++] = i + 2 < n ? tab[v & 63u] : '=';
    }
    out[j] = '\0';
    return out;
}

/* "IDENT1,IABS" into "\"IDENT1\",\"IABS\"" (at most 8 names). */
static void databases_json(const char *csv, char *out, size_t cap) {
    size_t o = 0;
    out[0] = '\0';
    for (const char *p = csv; *p != '\0';) {
        size_t n = strcspn(p, ",");
        int w = snprintf(out + o, cap - o, "%s\"%.*s\"", o ? "," : "", (int)n, p);
        assert_true(w > 0 && (size_t)w < cap - o);
        o += (size_t)w;
        p += n;
        if (*p == ',') {
            p++;
        }
    }
}

char *gww_request_json(const char *tcn, const char *databases_csv, const gww_probe *p) {
    char dbs[256];
    databases_json(databases_csv, dbs, sizeof(dbs));
    char *b64[2] = {gww_base64(p->wsq[0], p->len[0]), gww_base64(p->wsq[1], p->len[1])};
    size_t cap = strlen(b64[0]) + strlen(b64[1]) + 2048;
    char *out = malloc(cap);
    assert_non_null(out);
    int n = snprintf(out, cap,
                     "{\"tcn\":\"%s\"," GWW_POLICY ",\"databases\":[%s],\"fingers\":["
                     "{\"position\":2,\"quality\":80,\"format\":\"wsq\",\"data\":\"%s\"},"
                     "{\"position\":7,\"quality\":80,\"format\":\"wsq\",\"data\":\"%s\"}]}",
                     tcn, dbs, b64[0], b64[1]);
    assert_true(n > 0 && (size_t)n < cap);
    free(b64[0]);
    free(b64[1]);
    return out;
}

uint8_t *gww_request_an2k(const char *tcn, const char *databases_csv, const gww_probe *p,
                          size_t *len) {
    const char *names[8];
    char copy[256];
    snprintf(copy, sizeof(copy), "%s", databases_csv);
    size_t n_names = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok != NULL && n_names < 8;
         tok = strtok_r(NULL, ",", &save)) {
        names[n_names++] = tok;
    }
    mid_an2k_finger fingers[2];
    memset(fingers, 0, sizeof(fingers));
    for (size_t k = 0; k < 2; k++) {
        fingers[k].position = (uint8_t)probe_fingers[k];
        fingers[k].impression = 0;
        fingers[k].quality = 80;
        fingers[k].image = p->image[k];
    }
    mid_an2k_search_request req;
    memset(&req, 0, sizeof(req));
    req.ori = "WY0000001";
    req.dai = "GBBSG0000";
    req.tcn = tcn;
    req.gmt = "20261124100000Z";
    req.legal_basis = "consent";
    req.reason = "Driver gave details that do not match the vehicle keeper";
    req.incident = "LOG-2026-1124-0042";
    req.officer = "1001";
    req.device = "dev1";
    req.fingers = fingers;
    req.n_fingers = 2;
    req.basis = "consent";
    req.told_reason = MID_AN2K_FLAG_YES;
    req.told_speculative = MID_AN2K_FLAG_YES;
    req.location = "53.8008,-1.5491";
    req.ethnicity = "IC1";
    req.age_band = "25-34";
    req.gender = "M";
    req.databases = names;
    req.n_databases = n_names;
    mid_an2k *tx = NULL;
    check(mid_an2k_build_search(tu_ctx, &req, &tx), "an2k build");
    void *out = NULL;
    check(mid_an2k_serialize(tu_ctx, tx, &out, len), "an2k serialize");
    mid_an2k_free(tx);
    return out;
}
