/*
 * The force PKI: a CA, the gateway's server certificate and device client
 * certificates, with the GnuTLS x509 API. Keys are ECDSA P-256; signatures
 * SHA-256. Every file is created exclusively (O_EXCL) so that nothing is
 * overwritten, private keys with mode 0600.
 */
#include "gateway.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DAY_SECONDS (24 * 60 * 60)
/* Certificates are valid from a little before now: a device whose clock runs a
 * few minutes behind the CA's still accepts a fresh certificate. */
#define BACKDATE_SECONDS 300

static mid_status fail(char *err, mid_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static mid_status fail(char *err, mid_status st, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, GW_ERR_SIZE, fmt, ap);
    va_end(ap);
    return st;
}

bool gw_device_id_valid(const char *id) {
    size_t n = strlen(id);
    if (n == 0 || n >= MID_DEVICE_ID_SIZE) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok) {
            return false;
        }
    }
    /* "." and ".." would name directories in DIR/devices/. */
    return strcmp(id, ".") != 0 && strcmp(id, "..") != 0;
}

mid_status gw_read_small_file(const char *path, size_t max, char **data, size_t *len,
                              char err[GW_ERR_SIZE]) {
    *data = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return fail(err, errno == ENOENT ? MID_ERR_NOT_FOUND : MID_ERR_IO, "cannot open %s: %s",
                    path, strerror(errno));
    }
    char *buf = malloc(max + 1);
    if (buf == NULL) {
        fclose(f);
        return fail(err, MID_ERR_NOMEM, "out of memory");
    }
    size_t n = fread(buf, 1, max + 1, f);
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad) {
        free(buf);
        return fail(err, MID_ERR_IO, "cannot read %s", path);
    }
    if (n > max) {
        free(buf);
        return fail(err, MID_ERR_LIMIT, "%s is larger than %zu bytes", path, max);
    }
    buf[n] = '\0';
    *data = buf;
    if (len != NULL) {
        *len = n;
    }
    return MID_OK;
}

/* Writes a new file (never replacing one) with the given mode and syncs it. */
static mid_status write_new(const char *path, const void *data, size_t len, mode_t mode,
                            char *err) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        return fail(err, errno == EEXIST ? MID_ERR_EXISTS : MID_ERR_IO, "cannot create %s: %s",
                    path, strerror(errno));
    }
    const uint8_t *p = data;
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, p + done, len - done);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            int e = errno;
            close(fd);
            unlink(path);
            return fail(err, MID_ERR_IO, "cannot write %s: %s", path, strerror(e));
        }
        done += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        unlink(path);
        return fail(err, MID_ERR_IO, "cannot sync %s", path);
    }
    return MID_OK;
}

static mid_status path_in(char *buf, size_t cap, char *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static mid_status path_in(char *buf, size_t cap, char *err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap) {
        return fail(err, MID_ERR_ARG, "path under the data directory is too long");
    }
    return MID_OK;
}

static mid_status gnutls_fail(char *err, int rc, const char *what) {
    return fail(err, MID_ERR_IO, "%s: %s", what, gnutls_strerror(rc));
}

/* A positive 128-bit random serial (RFC 5280 asks for at most 20 octets and a
 * positive integer; the top bit is cleared). */
static mid_status random_serial(uint8_t serial[16], char *err) {
    int rc = gnutls_rnd(GNUTLS_RND_NONCE, serial, 16);
    if (rc < 0) {
        return gnutls_fail(err, rc, "random serial");
    }
    serial[0] &= 0x7f;
    if (serial[0] == 0) {
        serial[0] = 0x01; /* keep it 16 octets in DER, no leading zero */
    }
    return MID_OK;
}

typedef struct cert_spec {
    const char *cn;
    long days;
    bool ca;
    const char *purpose;      /* GNUTLS_KP_* or NULL */
    bool server_names;        /* SAN localhost, 127.0.0.1, ::1 */
    gnutls_x509_crt_t issuer; /* NULL: self-signed */
    gnutls_x509_privkey_t issuer_key;
} cert_spec;

/* Makes a key pair and a certificate for it; the caller deinits both. */
static mid_status make_cert(const cert_spec *spec, gnutls_x509_privkey_t *key_out,
                            gnutls_x509_crt_t *crt_out, uint8_t serial[16], char *err) {
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    mid_status st = MID_OK;
    int rc = gnutls_x509_privkey_init(&key);
    if (rc < 0) {
        return gnutls_fail(err, rc, "key");
    }
    rc = gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                      GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0);
    if (rc < 0) {
        st = gnutls_fail(err, rc, "generating an ECDSA P-256 key");
        goto out;
    }
    rc = gnutls_x509_crt_init(&crt);
    if (rc < 0) {
        st = gnutls_fail(err, rc, "certificate");
        goto out;
    }
    st = random_serial(serial, err);
    if (st != MID_OK) {
        goto out;
    }
    time_t now = time(NULL);
    uint8_t ski[64];
    size_t ski_len = sizeof(ski);
#define TRY(call, what)                                                                            \
    do {                                                                                           \
        rc = (call);                                                                               \
        if (rc < 0) {                                                                              \
            st = gnutls_fail(err, rc, what);                                                       \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)
    TRY(gnutls_x509_crt_set_version(crt, 3), "version");
    TRY(gnutls_x509_crt_set_serial(crt, serial, 16), "serial");
    TRY(gnutls_x509_crt_set_activation_time(crt, now - BACKDATE_SECONDS), "activation time");
    TRY(gnutls_x509_crt_set_expiration_time(crt, now + (time_t)spec->days * DAY_SECONDS),
        "expiration time");
    TRY(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, spec->cn,
                                      (unsigned)strlen(spec->cn)),
        "common name");
    TRY(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0, "mobileid", 8),
        "organisation");
    TRY(gnutls_x509_crt_set_key(crt, key), "public key");
    TRY(gnutls_x509_crt_set_basic_constraints(crt, spec->ca ? 1 : 0, spec->ca ? 0 : -1),
        "basic constraints");
    TRY(gnutls_x509_crt_set_key_usage(crt, spec->ca
                                               ? (GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN)
                                               : GNUTLS_KEY_DIGITAL_SIGNATURE),
        "key usage");
    TRY(gnutls_x509_privkey_get_key_id(key, GNUTLS_KEYID_USE_SHA1, ski, &ski_len),
        "key identifier");
    TRY(gnutls_x509_crt_set_subject_key_id(crt, ski, ski_len), "subject key identifier");
    if (spec->purpose != NULL) {
        TRY(gnutls_x509_crt_set_key_purpose_oid(crt, spec->purpose, 1), "extended key usage");
    }
    if (spec->server_names) {
        static const uint8_t v4[4] = {127, 0, 0, 1};
        static const uint8_t v6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        TRY(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost", 9,
                                                 GNUTLS_FSAN_APPEND),
            "subject alternative name");
        TRY(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, v4, 4,
                                                 GNUTLS_FSAN_APPEND),
            "subject alternative name");
        TRY(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, v6, 16,
                                                 GNUTLS_FSAN_APPEND),
            "subject alternative name");
    }
    if (spec->issuer != NULL) {
        uint8_t aki[64];
        size_t aki_len = sizeof(aki);
        TRY(gnutls_x509_crt_get_subject_key_id(spec->issuer, aki, &aki_len, NULL),
            "CA key identifier");
        TRY(gnutls_x509_crt_set_authority_key_id(crt, aki, aki_len), "authority key identifier");
        TRY(gnutls_x509_crt_sign2(crt, spec->issuer, spec->issuer_key, GNUTLS_DIG_SHA256, 0),
            "signing");
    } else {
        TRY(gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0), "self-signing");
    }
#undef TRY
out:
    if (st != MID_OK) {
        if (crt != NULL) {
            gnutls_x509_crt_deinit(crt);
        }
        gnutls_x509_privkey_deinit(key);
        return st;
    }
    *key_out = key;
    *crt_out = crt;
    return MID_OK;
}

/* Writes key (0600) and certificate (0644) as PEM. */
static mid_status save_pair(gnutls_x509_privkey_t key, gnutls_x509_crt_t crt, const char *key_path,
                            const char *crt_path, char *err) {
    gnutls_datum_t k = {NULL, 0}, c = {NULL, 0};
    int rc =
        gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &k);
    if (rc < 0) {
        return gnutls_fail(err, rc, "exporting the key");
    }
    rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &c);
    if (rc < 0) {
        mid_wipe(k.data, k.size);
        gnutls_free(k.data);
        return gnutls_fail(err, rc, "exporting the certificate");
    }
    mid_status st = write_new(key_path, k.data, k.size, 0600, err);
    if (st == MID_OK) {
        st = write_new(crt_path, c.data, c.size, 0644, err);
        if (st != MID_OK) {
            unlink(key_path);
        }
    }
    mid_wipe(k.data, k.size);
    gnutls_free(k.data);
    gnutls_free(c.data);
    return st;
}

static mid_status make_dir(const char *path, char *err) {
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        return fail(err, MID_ERR_IO, "cannot create %s: %s", path, strerror(errno));
    }
    return MID_OK;
}

mid_status gw_pki_ca_init(const char *data_dir, char err[GW_ERR_SIZE]) {
    char dir[4200], ca_crt[4300], ca_key[4300], srv_crt[4300], srv_key[4300];
    mid_status st = path_in(dir, sizeof(dir), err, "%s/pki", data_dir);
    if (st == MID_OK) {
        st = path_in(ca_crt, sizeof(ca_crt), err, "%s/ca.pem", dir);
    }
    if (st == MID_OK) {
        st = path_in(ca_key, sizeof(ca_key), err, "%s/ca-key.pem", dir);
    }
    if (st == MID_OK) {
        st = path_in(srv_crt, sizeof(srv_crt), err, "%s/server.pem", dir);
    }
    if (st == MID_OK) {
        st = path_in(srv_key, sizeof(srv_key), err, "%s/server-key.pem", dir);
    }
    if (st != MID_OK) {
        return st;
    }
    if (access(ca_crt, F_OK) == 0 || access(ca_key, F_OK) == 0) {
        return fail(err, MID_ERR_EXISTS, "%s exists already: the CA is not replaced", ca_crt);
    }
    st = make_dir(data_dir, err);
    if (st == MID_OK) {
        st = make_dir(dir, err);
    }
    if (st != MID_OK) {
        return st;
    }
    uint8_t serial[16];
    gnutls_x509_privkey_t ca_k = NULL, srv_k = NULL;
    gnutls_x509_crt_t ca_c = NULL, srv_c = NULL;
    cert_spec ca = {.cn = "mobileid force CA", .days = 3653, .ca = true};
    st = make_cert(&ca, &ca_k, &ca_c, serial, err);
    if (st != MID_OK) {
        return st;
    }
    cert_spec srv = {.cn = "localhost",
                     .days = 731,
                     .purpose = GNUTLS_KP_TLS_WWW_SERVER,
                     .server_names = true,
                     .issuer = ca_c,
                     .issuer_key = ca_k};
    st = make_cert(&srv, &srv_k, &srv_c, serial, err);
    if (st == MID_OK) {
        st = save_pair(ca_k, ca_c, ca_key, ca_crt, err);
        if (st == MID_OK) {
            st = save_pair(srv_k, srv_c, srv_key, srv_crt, err);
            if (st != MID_OK) {
                unlink(ca_key);
                unlink(ca_crt);
            }
        }
        gnutls_x509_privkey_deinit(srv_k);
        gnutls_x509_crt_deinit(srv_c);
    }
    gnutls_x509_privkey_deinit(ca_k);
    gnutls_x509_crt_deinit(ca_c);
    return st;
}

/* Loads the CA certificate and key from DIR/pki. */
static mid_status load_ca(const char *data_dir, gnutls_x509_crt_t *crt, gnutls_x509_privkey_t *key,
                          char *err) {
    char path[4300];
    char *text = NULL;
    size_t len = 0;
    mid_status st = path_in(path, sizeof(path), err, "%s/pki/ca.pem", data_dir);
    if (st == MID_OK) {
        st = gw_read_small_file(path, 64 * 1024, &text, &len, err);
    }
    if (st != MID_OK) {
        return st == MID_ERR_NOT_FOUND
                   ? fail(err, st, "no CA in %s/pki (run `mid ca init` first)", data_dir)
                   : st;
    }
    gnutls_datum_t d = {(unsigned char *)text, (unsigned)len};
    int rc = gnutls_x509_crt_init(crt);
    if (rc >= 0) {
        rc = gnutls_x509_crt_import(*crt, &d, GNUTLS_X509_FMT_PEM);
        if (rc < 0) {
            gnutls_x509_crt_deinit(*crt);
        }
    }
    free(text);
    if (rc < 0) {
        return gnutls_fail(err, rc, "reading the CA certificate");
    }
    st = path_in(path, sizeof(path), err, "%s/pki/ca-key.pem", data_dir);
    if (st == MID_OK) {
        st = gw_read_small_file(path, 64 * 1024, &text, &len, err);
    }
    if (st != MID_OK) {
        gnutls_x509_crt_deinit(*crt);
        return st;
    }
    d.data = (unsigned char *)text;
    d.size = (unsigned)len;
    rc = gnutls_x509_privkey_init(key);
    if (rc >= 0) {
        rc = gnutls_x509_privkey_import2(*key, &d, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN);
        if (rc < 0) {
            gnutls_x509_privkey_deinit(*key);
        }
    }
    mid_wipe(text, len);
    free(text);
    if (rc < 0) {
        gnutls_x509_crt_deinit(*crt);
        return gnutls_fail(err, rc, "reading the CA key");
    }
    return MID_OK;
}

mid_status gw_pki_device_issue(const char *data_dir, const char *id,
                               char cert_sha256[MID_CERT_HASH_SIZE], char serial_hex[41],
                               char err[GW_ERR_SIZE]) {
    if (!gw_device_id_valid(id)) {
        return fail(err, MID_ERR_ARG, "device id must be 1..%u of [A-Za-z0-9._-]",
                    MID_DEVICE_ID_SIZE - 1);
    }
    char dir[4200], crt_path[4300], key_path[4300];
    mid_status st = path_in(dir, sizeof(dir), err, "%s/devices", data_dir);
    if (st == MID_OK) {
        st = path_in(crt_path, sizeof(crt_path), err, "%s/%s.pem", dir, id);
    }
    if (st == MID_OK) {
        st = path_in(key_path, sizeof(key_path), err, "%s/%s-key.pem", dir, id);
    }
    if (st != MID_OK) {
        return st;
    }
    gnutls_x509_crt_t ca_c;
    gnutls_x509_privkey_t ca_k;
    st = load_ca(data_dir, &ca_c, &ca_k, err);
    if (st != MID_OK) {
        return st;
    }
    st = make_dir(dir, err);
    gnutls_x509_privkey_t k = NULL;
    gnutls_x509_crt_t c = NULL;
    uint8_t serial[16];
    if (st == MID_OK) {
        cert_spec dev = {.cn = id,
                         .days = 366,
                         .purpose = GNUTLS_KP_TLS_WWW_CLIENT,
                         .issuer = ca_c,
                         .issuer_key = ca_k};
        st = make_cert(&dev, &k, &c, serial, err);
    }
    if (st == MID_OK) {
        gnutls_datum_t der = {NULL, 0};
        int rc = gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_DER, &der);
        if (rc < 0) {
            st = gnutls_fail(err, rc, "exporting the certificate");
        } else {
            uint8_t h[MID_SHA256_SIZE];
            mid_sha256(der.data, der.size, h);
            mid_hex(h, sizeof(h), cert_sha256);
            mid_hex(serial, sizeof(serial), serial_hex);
            gnutls_free(der.data);
            st = save_pair(k, c, key_path, crt_path, err);
        }
        gnutls_x509_privkey_deinit(k);
        gnutls_x509_crt_deinit(c);
    }
    gnutls_x509_privkey_deinit(ca_k);
    gnutls_x509_crt_deinit(ca_c);
    return st;
}
