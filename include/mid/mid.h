/* mobileid library: the public API in one include. */
#ifndef MID_MID_H
#define MID_MID_H

#include "mid/core.h"
#include "mid/limits.h"
#include "mid/image.h"
#include "mid/template.h"
#include "mid/extract.h"
#include "mid/match.h"
#include "mid/eval.h"
#include "mid/synth.h"
#include "mid/person.h"
#include "mid/gallery.h"
#include "mid/wsq.h"
#include "mid/an2k.h"

#define MID_VERSION "0.1.0"

#endif
