/*
 * Finger capture from a scanner through libfprint (built with
 * -DMID_WITH_LIBFPRINT=ON). Images stay in memory: nothing is written to disk,
 * and libfprint's copy of the pixels is wiped before it is released.
 */
#ifndef MID_TOOL_CAPTURE_FPRINT_H
#define MID_TOOL_CAPTURE_FPRINT_H

#include "mid/mid.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct cli_scanner cli_scanner;

/* Opens the first libfprint device that can capture images (for tests, the
 * virtual_image device that FP_VIRTUAL_IMAGE=<socket> enables). Returns NULL
 * after writing the reason into err. Close it with cli_scanner_close(). */
cli_scanner *cli_scanner_open(char *err, size_t errcap);

/* Waits for a finger and captures one image into *out, a new image the caller
 * frees with mid_image_free(). The resolution is the device's (500 ppi when it
 * reports none). Returns false after writing the reason into err. */
bool cli_scanner_capture(cli_scanner *s, mid_ctx *ctx, mid_image **out, char *err, size_t errcap);

/* Closes the device and frees s; NULL is ignored. */
void cli_scanner_close(cli_scanner *s);

#endif
