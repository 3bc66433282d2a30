/* mid: the mobileid command line tool. Uses only the public API. */
#include "mid/mid.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--version") == 0) {
        printf("mid %s\n", MID_VERSION);
        return argc < 2 ? 2 : 0;
    }
    fprintf(stderr, "mid: unknown command '%s'\n", argv[1]);
    return 2;
}
