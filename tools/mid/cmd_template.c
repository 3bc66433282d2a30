/* mid template: minutiae template tools (placeholder until the converter lands). */
#include "cli.h"

int cli_cmd_template(int argc, char **argv) {
    (void)argc;
    (void)argv;
    return cli_usage_error("template", "not available yet");
}
