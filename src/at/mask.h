/* Secret masking for AT traffic logs: PINs and passwords never reach a log. */
#ifndef CELLSOCK_AT_MASK_H
#define CELLSOCK_AT_MASK_H

/* Return a copy of an AT command line (or its echo) with secret arguments
 * replaced by "***": +CPIN, +CPWD, +CLCK passwords, the password of #SGACT,
 * +CGAUTH, #PDPAUTH and +QICSGP. With all set, every argument after the
 * first '=' is masked. The caller frees the result. */
char *at_mask_dup(const char *cmd, int all);

#endif
