/* libFuzzer target for every Telit response parser, the final-result table,
 * prefix matching and the secret masker: the input is one line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "at/mask.h"
#include "at/result.h"
#include "dialect/telit/telit.h"
#include "dialect/telit/telit_parse.h"

static void
parse_all(char *line)
{
	struct telit_ss ss;
	struct telit_si si;
	struct telit_srecv sr;
	struct telit_sring sg;
	struct telit_no_carrier nc;
	struct telit_slastclosure sc;
	struct telit_sgact sa;
	struct telit_reg reg;
	struct telit_csq csq;
	struct telit_cops cops;
	struct telit_fw fw;
	struct telit_swpkgv sw;
	struct at_result res;
	enum telit_pin pin;
	size_t max;
	char buf[TELIT_TEXT_MAX];
	char *lines[4] = { line, line, line, line };
	const char *args;

	telit_parse_ss(line, &ss);
	telit_parse_si(line, &si);
	telit_parse_srecv(line, &sr);
	telit_srecv_len(line);
	if (telit_parse_sring(line, &sg) == 0 && sg.data != NULL &&
	    sg.data + sg.data_len != line + strlen(line))
		abort();
	telit_parse_no_carrier(line, &nc);
	telit_parse_slastclosure(line, &sc);
	telit_parse_sgact_ip(line, buf, sizeof(buf));
	telit_parse_sgact_read(line, &sa);
	telit_parse_reg(line, TELIT_REG_URC, &reg);
	telit_parse_reg(line, TELIT_REG_READ, &reg);
	if (telit_parse_csq(line, &csq) == 0)
		telit_csq_dbm(&csq);
	telit_parse_cops(line, &cops);
	if (telit_parse_cpin(line, &pin) == 0)
		telit_pin_name(pin);
	telit_parse_ident(line, buf, sizeof(buf));
	telit_parse_imei(line, buf, sizeof(buf));
	if (telit_parse_fw(line, &fw) == 0)
		telit_fw_cmp(&fw, &fw);
	telit_parse_swpkgv(lines, 4, &sw);
	telit_parse_ssendext_test(line, &max);
	if (at_result_parse(&telit_dialect, line, &res))
		at_final_name(res.kind);
	at_prefix_match("SRING:", line, &args);
	at_prefix_match("NO CARRIER", line, &args);
	at_cme_code(&telit_dialect, line);
	free(at_mask_dup(&telit_dialect, line, 0));
	free(at_mask_dup(&telit_dialect, line, 1));
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line;

	if (size > 8192)
		return 0;
	line = malloc(size + 1);
	memcpy(line, data, size);
	line[size] = '\0';
	parse_all(line);
	free(line);
	return 0;
}
