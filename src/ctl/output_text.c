/* Text output for people: titled blocks of "label: value" lines (like
 * mmcli), a links table that fits 80 columns, human durations, local
 * times, binary sizes, and state words in colour on a terminal only. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "human.h"
#include "output.h"

enum text_kind { K_TEXT, K_STATE, K_TIME, K_DUR, K_BYTES, K_OCTETS, K_MS, K_DBM, K_BOOL, K_PERDAY };

/* How one field of one record type reads: its label and its unit. A field
 * not listed (a new one) shows under its key with its value as it is. */
struct text_field {
	const char *type, *key, *label;
	enum text_kind kind;
};

static const struct text_field text_fields[] = {
	{ "daemon", "version", "Version", K_TEXT }, { "daemon", "pid", "PID", K_TEXT },
	{ "daemon", "uptime", "Uptime", K_DUR }, { "daemon", "config", "Configuration", K_TEXT },
	{ "daemon", "log_level", "Log level", K_TEXT }, { "daemon", "links", "Links", K_TEXT },
	{ "daemon", "reloads", "Reloads", K_TEXT }, { "daemon", "clients", "Control clients", K_TEXT },
	{ "daemon", "monitors", "Monitors", K_TEXT },
	{ "modem", "state", "State", K_STATE }, { "modem", "device", "Device", K_TEXT },
	{ "modem", "dialect", "Dialect", K_TEXT },
	{ "modem", "dialect_reason", "Dialect reason", K_TEXT },
	{ "modem", "model", "Model", K_TEXT }, { "modem", "firmware", "Firmware", K_TEXT },
	{ "modem", "imei", "IMEI", K_TEXT }, { "modem", "sim", "SIM", K_TEXT },
	{ "modem", "registration", "Registration", K_TEXT },
	{ "modem", "operator", "Operator", K_TEXT }, { "modem", "signal_dbm", "Signal", K_DBM },
	{ "modem", "ip", "IP address", K_TEXT }, { "modem", "quiet_time", "Quiet time", K_DUR },
	{ "modem", "max_send", "Largest send", K_OCTETS },
	{ "modem", "command_gap_ms", "Command gap", K_MS },
	{ "modem", "failures", "Failure streak", K_TEXT },
	{ "modem", "escalation", "Escalation step", K_TEXT },
	{ "modem", "pdp_cycles", "PDP cycles", K_TEXT },
	{ "modem", "radio_cycles", "Radio cycles", K_TEXT },
	{ "modem", "reboots", "Reboots", K_TEXT }, { "modem", "hooks", "Hooks run", K_TEXT },
	{ "modem", "last_error", "Last error", K_TEXT },
	{ "modem", "last_error_at", "Last error at", K_TIME },
	{ "link", "name", "Name", K_TEXT }, { "link", "state", "State", K_STATE },
	{ "link", "since", "Since", K_TIME }, { "link", "host", "Host", K_TEXT },
	{ "link", "port", "Port", K_TEXT }, { "link", "socket", "Modem socket", K_TEXT },
	{ "link", "local", "Local endpoint", K_TEXT }, { "link", "session", "Session", K_TEXT },
	{ "link", "attempts", "Attempts", K_TEXT },
	{ "link", "backoff_left", "Next attempt in", K_DUR },
	{ "link", "connects", "Connects", K_TEXT }, { "link", "failures", "Dial failures", K_TEXT },
	{ "link", "cause", "Last cause", K_TEXT }, { "link", "idle", "Idle period", K_DUR },
	{ "link", "idle_mode", "Idle mode", K_TEXT },
	{ "link", "dead_within_idle", "Dead within (idle)", K_DUR },
	{ "link", "dead_within_busy", "Dead within (busy)", K_DUR },
	{ "link", "probes_sent", "Probes sent", K_TEXT },
	{ "link", "probes_answered", "Probes answered", K_TEXT },
	{ "link", "rtt_last_ms", "Last RTT", K_MS }, { "link", "rtt_mean_ms", "Mean RTT", K_MS },
	{ "link", "probe_bytes", "Probe bytes", K_BYTES },
	{ "link", "probe_bytes_per_day", "Probe bytes per day", K_PERDAY },
	{ "link", "idle_survived", "Longest idle survived", K_DUR },
	{ "link", "idle_died", "Shortest idle died", K_DUR },
	{ "link", "idle_trials", "Trials of a longer idle", K_TEXT },
	{ "link", "probe_bytes_per_day_at_idle", "Probe cost at this idle", K_PERDAY },
	{ "link", "probe_wait_max_ms", "Longest probe wait", K_MS },
	{ "link", "unprobed", "Deaths unprobed", K_TEXT },
	{ "link", "last_error", "Last error", K_TEXT },
	{ "link", "last_error_at", "Last error at", K_TIME },
	{ "relay", "name", "Name", K_TEXT }, { "relay", "client", "Client connected", K_BOOL },
	{ "relay", "tx_queued", "Queued to server", K_BYTES },
	{ "relay", "rx_queued", "Queued to client", K_BYTES },
	{ "relay", "accepted", "Accepted", K_BYTES }, { "relay", "sent", "Sent", K_BYTES },
	{ "relay", "acked", "Acknowledged", K_BYTES }, { "relay", "received", "Received", K_BYTES },
	{ "relay", "delivered", "Delivered", K_BYTES },
	{ "relay", "lost_unsent", "Lost unsent", K_BYTES },
	{ "relay", "lost_unacked", "Lost unacknowledged", K_BYTES },
	{ "relay", "lost_unread", "Lost unread", K_BYTES },
	{ "relay", "undelivered", "Undelivered", K_BYTES },
	{ "relay", "resent", "Resent", K_BYTES }, { "relay", "clients", "Clients accepted", K_TEXT },
	{ "relay", "refused", "Clients refused", K_TEXT },
	{ "relay", "probe_replies", "Probe replies removed", K_BYTES },
	{ "version", "name", "Name", K_TEXT }, { "version", "version", "Version", K_TEXT },
	{ "version", "protocol", "Protocol", K_TEXT }, { "log", "level", "Level", K_TEXT },
	{ "accepted", "link", "Link", K_TEXT }, { "accepted", "state", "State", K_STATE },
	{ "accepted", "step", "Step", K_TEXT }, { "queued", "link", "Link", K_TEXT },
	{ "queued", "bytes", "Bytes", K_OCTETS },
};

#define TEXT_NFIELDS (int)(sizeof(text_fields) / sizeof(text_fields[0]))
#define TEXT_VALUE_MAX 512

/* The description of type.key, or NULL. */
static const struct text_field *
text_field_of(const char *type, const char *key)
{
	for (int i = 0; i < TEXT_NFIELDS; i++)
		if (strcmp(text_fields[i].type, type) == 0 && strcmp(text_fields[i].key, key) == 0)
			return &text_fields[i];
	return NULL;
}

/* Copy s into buf with control bytes shown as '?': names and messages
 * must not drive the terminal. */
static void
text_safe(const char *s, char *buf, size_t size)
{
	size_t i = 0;

	for (; s[i] != '\0' && i + 1 < size; i++)
		buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	buf[i] = '\0';
}

/* One value in human units, per its kind. */
static void
text_value(enum text_kind kind, const char *v, time_t now, char *buf, size_t size)
{
	char a[HUMAN_MAX], b[HUMAN_MAX];

	if (*v == '\0' && kind != K_DBM) {
		snprintf(buf, size, "-");
		return;
	}
	switch (kind) {
	case K_TEXT: case K_STATE: text_safe(v, buf, size); return;
	case K_DUR: human_duration_text(v, buf, size); return;
	case K_BYTES: human_bytes_text(v, buf, size); return;
	case K_PERDAY: human_bytes_text(v, a, sizeof(a)); snprintf(buf, size, "%s/day", a); return;
	case K_MS: snprintf(buf, size, "%s ms", v); return;
	case K_OCTETS: snprintf(buf, size, "%s bytes", v); return;
	case K_BOOL: snprintf(buf, size, "%s", strcmp(v, "0") != 0 ? "yes" : "no"); return;
	case K_DBM: snprintf(buf, size, *v ? "%s dBm" : "unknown", v); return;
	case K_TIME:
		if (atoll(v) <= 0) {
			snprintf(buf, size, "never");
			return;
		}
		human_time((time_t)atoll(v), a, sizeof(a));
		human_age_text(v, now, b, sizeof(b));
		snprintf(buf, size, "%s (%s ago)", a, b);
		return;
	}
}

/* A titled block: the heading, then one "  Label: value" line per field;
 * skip names a field left out (the name in the heading). */
static void
text_block(FILE *f, const char *title, const struct record *r, const char *skip, int colour)
{
	char label[TEXT_VALUE_MAX], val[TEXT_VALUE_MAX];
	const struct text_field *tf;
	int width = 0;
	time_t now = time(NULL);

	text_safe(title, val, sizeof(val));
	fprintf(f, "%s\n", val);
	for (int pass = 0; pass < 2; pass++)
		for (int k = 0; k < r->n; k++) {
			if (skip != NULL && strcmp(r->key[k], skip) == 0)
				continue;
			tf = text_field_of(r->type, r->key[k]);
			snprintf(label, sizeof(label), "%s:", tf ? tf->label : r->key[k]);
			if (pass == 0) {
				width = (int)strlen(label) > width ? (int)strlen(label) : width;
				continue;
			}
			text_value(tf ? tf->kind : K_TEXT, r->val[k], now, val, sizeof(val));
			fprintf(f, "  %-*s ", width, label);
			if (tf != NULL && tf->kind == K_STATE)
				human_put_state(f, val, 0, colour);
			else
				fputs(val, f);
			fputc('\n', f);
		}
}

/* The record of type whose name is name, or NULL. */
static const struct record *
text_find(const struct record *recs, int n, const char *type, const char *name)
{
	for (int i = 0; i < n; i++) {
		const char *v = record_get(&recs[i], "name");
		if (strcmp(recs[i].type, type) == 0 && v != NULL && strcmp(v, name) == 0)
			return &recs[i];
	}
	return NULL;
}

/* ---- the links table ---- */

enum { COL_NAME, COL_STATE, COL_FOR, COL_SERVER, COL_IN, COL_OUT, COL_CAUSE, COL_COUNT };

#define TEXT_WIDTH 80
#define TEXT_CELL 96

static const char *const text_col_head[COL_COUNT] = {
	"NAME", "STATE", "FOR", "SERVER", "IN", "OUT", "CAUSE"
};

/* Columns a UTF-8 string takes (one per character). */
static int
text_cols(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Cut s to at most width columns, ending in '~' when cut; a server keeps
 * its ":port" and loses the end of its host instead. */
static void
text_fit(char *s, int width, int keep_port)
{
	const char *colon = keep_port ? strrchr(s, ':') : NULL;
	char tail[16] = "";
	int room, i = 0, c = 0;

	if (text_cols(s) <= width || width < 2)
		return;
	if (colon != NULL && strlen(colon) < sizeof(tail) && (int)strlen(colon) + 2 <= width)
		snprintf(tail, sizeof(tail), "%s", colon);
	room = width - 1 - (int)strlen(tail);
	for (; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && c++ == room)
			break;
	}
	snprintf(s + i, TEXT_CELL - (size_t)i, "~%s", tail);
}

/* Fill the cells of one row from a link record and its relay record. */
static void
text_link_row(const struct record *l, const struct record *rl, time_t now,
    char cell[COL_COUNT][TEXT_CELL])
{
	const char *host = record_get(l, "host"), *port = record_get(l, "port");
	const char *cause = record_get(l, "cause");
	char server[TEXT_CELL];

	text_safe(record_get(l, "name") ? record_get(l, "name") : "?", cell[COL_NAME], TEXT_CELL);
	text_safe(record_get(l, "state") ? record_get(l, "state") : "?", cell[COL_STATE], TEXT_CELL);
	human_age_text(record_get(l, "since"), now, cell[COL_FOR], TEXT_CELL);
	snprintf(server, sizeof(server), "%.64s:%.8s", host ? host : "", port ? port : "");
	text_safe(server, cell[COL_SERVER], TEXT_CELL);
	human_bytes_text(rl ? record_get(rl, "received") : NULL, cell[COL_IN], TEXT_CELL);
	human_bytes_text(rl ? record_get(rl, "sent") : NULL, cell[COL_OUT], TEXT_CELL);
	text_safe(cause && *cause ? cause : "-", cell[COL_CAUSE], TEXT_CELL);
}

/* Column widths that fit budget: each column as wide as its widest cell,
 * then the name and server columns (then the cause) give way. */
static void
text_widths(char (*cells)[COL_COUNT][TEXT_CELL], int rows, int budget, int w[COL_COUNT])
{
	int total = 2 * (COL_COUNT - 1);

	for (int c = 0; c < COL_COUNT; c++) {
		w[c] = (int)strlen(text_col_head[c]);
		for (int i = 0; i < rows; i++)
			w[c] = text_cols(cells[i][c]) > w[c] ? text_cols(cells[i][c]) : w[c];
		total += w[c];
	}
	while (total > budget) {
		int c = w[COL_SERVER] >= w[COL_NAME] ? COL_SERVER : COL_NAME;
		if (w[c] <= 8)
			c = w[COL_CAUSE] > 5 ? COL_CAUSE : c;
		if (w[c] <= 5)
			break;
		w[c]--;
		total--;
	}
}

/* Print one row; the state word in colour. */
static void
text_row(FILE *f, int indent, char cell[COL_COUNT][TEXT_CELL], const int w[COL_COUNT],
    int colour)
{
	fprintf(f, "%*s", indent, "");
	for (int c = 0; c < COL_COUNT; c++) {
		int last = c + 1 == COL_COUNT;
		text_fit(cell[c], w[c], c == COL_SERVER);
		if (colour && c == COL_STATE)
			human_put_state(f, cell[c], w[c], 1);
		else if (last)
			fputs(cell[c], f);
		else
			fprintf(f, "%s%*s", cell[c], w[c] - text_cols(cell[c]), "");
		fputs(last ? "\n" : "  ", f);
	}
}

/* One row per link record: name, state and for how long, server, bytes
 * in (received) and out (sent) from its relay record, the last cause. */
static void
text_links_table(FILE *f, const struct record *recs, int n, int indent, int colour)
{
	char (*cells)[COL_COUNT][TEXT_CELL] = calloc((size_t)n + 1, sizeof(*cells));
	char head[COL_COUNT][TEXT_CELL];
	int rows = 0, w[COL_COUNT];
	time_t now = time(NULL);

	if (cells == NULL)
		return;
	for (int i = 0; i < n; i++) {
		const char *name = record_get(&recs[i], "name");
		if (strcmp(recs[i].type, "link") == 0)
			text_link_row(&recs[i], name ? text_find(recs, n, "relay", name) : NULL, now,
			    cells[rows++]);
	}
	for (int c = 0; c < COL_COUNT; c++)
		snprintf(head[c], TEXT_CELL, "%s", text_col_head[c]);
	text_widths(cells, rows, TEXT_WIDTH - indent, w);
	text_row(f, indent, head, w, 0);
	for (int i = 0; i < rows; i++)
		text_row(f, indent, cells[i], w, colour);
	if (rows == 0)
		fprintf(f, "%*s(no links)\n", indent, "");
	free(cells);
}

/* Under the links table, one line per AT channel: what waits for it now and
 * the longest an urgent command (probe, ack poll, read) waited. */
static void
text_channels(FILE *f, const struct record *recs, int n, int indent)
{
	char port[TEXT_VALUE_MAX];

	for (int i = 0; i < n; i++) {
		const char *p = record_get(&recs[i], "port");
		const char *q = record_get(&recs[i], "queued");
		const char *w = record_get(&recs[i], "urgent_wait_max_ms");

		if (strcmp(recs[i].type, "channel") != 0 || p == NULL)
			continue;
		text_safe(strrchr(p, '/') ? strrchr(p, '/') + 1 : p, port, sizeof(port));
		fprintf(f, "%*sAT port %.24s: %s queued, longest urgent wait %s ms\n", indent, "",
		    port, q ? q : "?", w ? w : "?");
	}
}

/* ---- other replies ---- */

/* Every record of one type as a table with a header row of its keys. */
static void
text_table(FILE *f, const struct record *recs, int n, const char *type)
{
	const struct record *first = NULL;
	int width[RECORD_FIELDS_MAX] = { 0 };
	char v[TEXT_VALUE_MAX];

	for (int i = 0; i < n; i++) {
		if (strcmp(recs[i].type, type) != 0)
			continue;
		if (first == NULL)
			first = &recs[i];
		for (int k = 0; k < first->n && k < recs[i].n; k++) {
			int w = text_cols(recs[i].val[k][0] ? recs[i].val[k] : "-");
			w = (int)strlen(first->key[k]) > w ? (int)strlen(first->key[k]) : w;
			width[k] = w > width[k] ? w : width[k];
		}
	}
	for (int k = 0; first != NULL && k < first->n; k++)
		fprintf(f, "%-*s%s", k + 1 < first->n ? width[k] : 0, first->key[k],
		    k + 1 < first->n ? "  " : "\n");
	for (int i = 0; first != NULL && i < n; i++) {
		if (strcmp(recs[i].type, type) != 0)
			continue;
		for (int k = 0; k < first->n && k < recs[i].n; k++) {
			text_safe(recs[i].val[k][0] ? recs[i].val[k] : "-", v, sizeof(v));
			fprintf(f, "%s%*s", v, k + 1 < first->n ? width[k] - text_cols(v) + 2 : 0, "");
		}
		fputc('\n', f);
	}
}

/* A heading from a record type: "log" -> "Log". */
static void
text_title(const char *type, char *buf, size_t size)
{
	snprintf(buf, size, "%s", strcmp(type, "log") == 0 ? "Log level" : type);
	if (buf[0] >= 'a' && buf[0] <= 'z')
		buf[0] = (char)(buf[0] - 'a' + 'A');
}

/* Any reply: list types as tables, the others as titled blocks. */
static void
text_generic(FILE *f, const struct record *recs, int n, const char *lists, int colour)
{
	char title[64];
	int printed = 0;

	for (int i = 0; i < n; i++) {
		int seen = 0;
		for (int j = 0; j < i; j++)
			seen |= strcmp(recs[j].type, recs[i].type) == 0;
		if (seen)
			continue;
		if (printed++)
			fputc('\n', f);
		text_title(recs[i].type, title, sizeof(title));
		if (output_is_list(recs[i].type, lists))
			text_table(f, recs, n, recs[i].type);
		else
			text_block(f, title, &recs[i], NULL, colour);
	}
}

/* status: the daemon, the modem, then the links table. */
static void
text_status(FILE *f, const struct record *recs, int n, int colour)
{
	for (int i = 0; i < n; i++)
		if (strcmp(recs[i].type, "daemon") == 0) {
			text_block(f, "Daemon", &recs[i], NULL, colour);
			fputc('\n', f);
		}
	for (int i = 0; i < n; i++)
		if (strcmp(recs[i].type, "modem") == 0) {
			text_block(f, "Modem", &recs[i], NULL, colour);
			fputc('\n', f);
		}
	fputs("Links\n", f);
	text_links_table(f, recs, n, 2, colour);
	text_channels(f, recs, n, 2);
}

/* links NAME: every field of the link, then its byte account. */
static int
text_one_link(FILE *f, const struct record *recs, int n, const char *name, int colour)
{
	const struct record *l = text_find(recs, n, "link", name);
	const struct record *rl = text_find(recs, n, "relay", name);
	char title[TEXT_VALUE_MAX];

	if (l == NULL) {
		snprintf(title, sizeof(title), "no link named '%.64s'", name);
		output_text.error(stderr, "no-such-link", title, NULL, 0);
		return 1;
	}
	snprintf(title, sizeof(title), "Link %s", name);
	text_block(f, title, l, "name", colour);
	if (rl != NULL) {
		snprintf(title, sizeof(title), "Relay %s", name);
		fputc('\n', f);
		text_block(f, title, rl, "name", colour);
	}
	return 0;
}

static int
text_reply(FILE *f, struct record *recs, int n, const struct reply_info *info)
{
	int colour = human_colour_wanted(f);

	if (strcmp(info->command, "links") == 0 && info->name != NULL)
		return text_one_link(f, recs, n, info->name, colour);
	if (strcmp(info->command, "links") == 0) {
		text_links_table(f, recs, n, 0, colour);
		text_channels(f, recs, n, 0);
	} else if (strcmp(info->command, "status") == 0)
		text_status(f, recs, n, colour);
	else
		text_generic(f, recs, n, info->lists, colour);
	return 0;
}

/* An event as it came, after the local time it arrived. */
static void
text_event(FILE *f, const char *line)
{
	char stamp[HUMAN_MAX], safe[TEXT_VALUE_MAX * 4];

	human_time(time(NULL), stamp, sizeof(stamp));
	text_safe(line, safe, sizeof(safe));
	fprintf(f, "%s %s\n", stamp, safe);
	fflush(f);
}

static void
text_error(FILE *f, const char *code, const char *message, char *const *problems, int n)
{
	char safe[TEXT_VALUE_MAX * 2];

	text_safe(message, safe, sizeof(safe));
	fprintf(f, "cellsockctl: %s (%s)\n", safe, code);
	for (int i = 0; i < n; i++) {
		text_safe(problems[i], safe, sizeof(safe));
		fprintf(f, "  %s\n", safe);
	}
}

const struct output output_text = { text_reply, text_event, text_error };
