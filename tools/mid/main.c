/* mid: the mobileid command line tool. Uses only the public API. */
#include "cli.h"

#include <string.h>

static void print_help(FILE *f) {
    fprintf(f,
            "mid %s: mobileid fingerprint tool\n"
            "\n"
            "usage: mid <command> [options]\n"
            "\n"
            "commands:\n"
            "  extract  extract a minutiae template from an image (or a list of images)\n"
            "  compare  compare two images or templates, or a list of template pairs\n"
            "  eval     FVC-protocol accuracy and speed test over a folder of images\n"
            "  synth    synthetic fingerprints, templates and population\n"
            "  an2k     dump, check or copy an ANSI/NIST-ITL transaction\n"
            "  convert  convert an image between PNG, PGM, raw, WSQ and JPEG 2000\n"
            "  template minutiae template tools (convert between ISO, ANSI and native)\n"
            "  records  import, get, delete and count person records in the store\n"
            "  enrol    enrol gallery prints (tenprint, finger images or a MIDG gallery)\n"
            "  audit    verify the hash-chained audit log or show its entries\n"
            "  serve    run the identification gateway (HTTPS, TLS 1.3)\n"
            "  ca       create the force CA and the gateway's certificate\n"
            "  device   enrol, revoke or list devices\n"
            "  officer  add an officer (roles, PIN)\n"
            "  identify submit a mobile identification to the gateway (officer client)\n"
            "  version  print the version\n"
            "  help     print this help\n"
            "\n"
            "'mid <command> --help' describes a command's options.\n"
            "Exit status: 0 success, 1 failure, 2 usage error.\n",
            MID_VERSION);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        print_help(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        print_help(stdout);
        return 0;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("mid %s\n", MID_VERSION);
        return 0;
    }
    if (strcmp(cmd, "extract") == 0) {
        return cli_cmd_extract(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "compare") == 0) {
        return cli_cmd_compare(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "eval") == 0) {
        return cli_cmd_eval(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "synth") == 0) {
        return cli_cmd_synth(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "an2k") == 0) {
        return cli_cmd_an2k(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "convert") == 0) {
        return cli_cmd_convert(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "template") == 0) {
        return cli_cmd_template(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "records") == 0) {
        return cli_cmd_records(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "enrol") == 0) {
        return cli_cmd_enrol(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "audit") == 0) {
        return cli_cmd_audit(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "serve") == 0) {
        return cli_cmd_serve(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "ca") == 0) {
        return cli_cmd_ca(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "device") == 0) {
        return cli_cmd_device(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "officer") == 0) {
        return cli_cmd_officer(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "identify") == 0) {
        return cli_cmd_identify(argc - 1, argv + 1);
    }
    fprintf(stderr, "mid: unknown command '%s' (see 'mid help')\n", cmd);
    return CLI_EXIT_USAGE;
}
