/* complete_gen: writes cellsockctl's bash completion on stdout, generated at
 * build time from the one command table (common/cmdtab.c) and the log level
 * names (common/log.c), so that a new command, reset step or level is
 * completed without anyone editing a script. Argument words of a synopsis
 * complete as: NAME the link names the running daemon reports, LEVEL the log
 * levels, a|b|c those words; anything else (DATA, COMMAND) nothing. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmdtab.h"
#include "log.h"

/* The shell function that asks the daemon for its link names: -j links,
 * whose records carry "name":"..." (JSON), else the first column of the
 * text table under its heading. The -s or -m the user typed is passed on. */
static void
gen_helpers(void)
{
	printf("_cellsockctl_links()\n{\n"
	    "\tlocal out\n"
	    "\tout=$(\"$@\" -j -t 3 links 2>/dev/null)\n"
	    "\tcase $out in\n"
	    "\t*'\"name\"'*)\n"
	    "\t\tprintf '%%s\\n' \"$out\" | grep -o '\"name\": *\"[^\"]*\"' |\n"
	    "\t\t    sed 's/^\"name\": *\"//; s/\"$//'\n"
	    "\t\treturn ;;\n"
	    "\tesac\n"
	    "\t\"$@\" -t 3 links 2>/dev/null | awk 'NR > 1 && NF { print $1 }'\n"
	    "}\n\n");
	printf("_cellsockctl_instances()\n{\n"
	    "\tlocal f\n"
	    "\tfor f in %s/cellsock/*.sock; do\n"
	    "\t\t[ -S \"$f\" ] || continue\n"
	    "\t\tf=${f##*/}\n"
	    "\t\tprintf '%%s\\n' \"${f%%.sock}\"\n"
	    "\tdone\n"
	    "}\n\n", RUNSTATEDIR);
}

/* One synopsis word without its brackets ("[LEVEL]" is "LEVEL"). */
static void
gen_word(const char *word, size_t len, char *w, size_t size)
{
	if (word[0] == '[' && len >= 2 && word[len - 1] == ']') {
		word++;
		len -= 2;
	}
	snprintf(w, size, "%.*s", (int)len, word);
}

/* The compgen word list for a synopsis word; 0 if it completes nothing. */
static int
gen_arg_words(const char *w)
{
	if (strcmp(w, "NAME") == 0) {
		printf("\"$(_cellsockctl_links \"${ctl[@]}\")\"");
		return 1;
	}
	if (strcmp(w, "LEVEL") == 0) {
		printf("'");
		for (int l = LOG_LEVEL_ERROR; l <= LOG_LEVEL_DEBUG; l++)
			printf("%s%s", l > LOG_LEVEL_ERROR ? " " : "", log_level_name(l));
		printf("'");
		return 1;
	}
	if (strchr(w, '|') == NULL)
		return 0;
	printf("'");
	for (const char *p = w; *p != '\0'; p++)
		putchar(*p == '|' ? ' ' : *p);
	printf("'");
	return 1;
}

/* Whether gen_arg_words completes anything for w. */
static int
gen_completable(const char *w)
{
	return strcmp(w, "NAME") == 0 || strcmp(w, "LEVEL") == 0 || strchr(w, '|') != NULL;
}

/* One case per completable argument word of e: "NAME:POSITION) ...". */
static void
gen_command_args(const struct cmdtab_entry *e)
{
	const char *p = e->args;
	char w[64];
	int pos = 0;

	while (*p != '\0') {
		size_t len = strcspn(p, " ");

		gen_word(p, len, w, sizeof(w));
		pos++;
		if (gen_completable(w)) {
			printf("\t%s:%d)\n\t\tCOMPREPLY=($(compgen -W ", e->name, pos);
			gen_arg_words(w);
			printf(" -- \"$cur\")) ;;\n");
		}
		p += len;
		p += strspn(p, " ");
	}
}

/* The completion function: options, then the command, then its arguments. */
static void
gen_main(void)
{
	printf("_cellsockctl()\n{\n"
	    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	    "\tlocal i w cmd= at=0\n"
	    "\tlocal -a ctl=(\"${COMP_WORDS[0]}\")\n"
	    "\tCOMPREPLY=()\n"
	    "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	    "\t\tw=${COMP_WORDS[i]}\n"
	    "\t\tcase $w in\n"
	    "\t\t-s|--socket|-m|--instance) ctl+=(\"$w\" \"${COMP_WORDS[i+1]}\"); i=$((i + 1)) ;;\n"
	    "\t\t-t) i=$((i + 1)) ;;\n"
	    "\t\t-*) ;;\n"
	    "\t\t*) cmd=$w; at=$i; break ;;\n"
	    "\t\tesac\n"
	    "\tdone\n"
	    "\tif [[ -z $cmd ]]; then\n"
	    "\t\tcase $prev in\n"
	    "\t\t-s|--socket) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
	    "\t\t-m|--instance) COMPREPLY=($(compgen -W \"$(_cellsockctl_instances)\" -- \"$cur\")); return ;;\n"
	    "\t\t-t) return ;;\n"
	    "\t\tesac\n"
	    "\t\tif [[ $cur == -* ]]; then\n"
	    "\t\t\tCOMPREPLY=($(compgen -W '-s -m -j -t -h -V --socket --instance --json --help --version' -- \"$cur\"))\n"
	    "\t\telse\n"
	    "\t\t\tCOMPREPLY=($(compgen -W '");
	for (int i = 0; i < CMDTAB_COUNT; i++)
		printf("%s%s", i > 0 ? " " : "", cmdtab[i].name);
	printf("' -- \"$cur\"))\n"
	    "\t\tfi\n"
	    "\t\treturn\n"
	    "\tfi\n"
	    "\tcase $cmd:$((COMP_CWORD - at)) in\n");
	for (int i = 0; i < CMDTAB_COUNT; i++)
		gen_command_args(&cmdtab[i]);
	printf("\tesac\n}\n\n");
}

int
main(void)
{
	printf("# bash completion for cellsockctl(8): commands, link names from the\n"
	    "# running daemon, reset steps, log levels, -m instances.\n"
	    "# Generated from cellsock's command table by complete_gen: do not edit.\n\n");
	gen_helpers();
	gen_main();
	printf("complete -F _cellsockctl cellsockctl\n");
	return ferror(stdout) || fflush(stdout) != 0;
}
