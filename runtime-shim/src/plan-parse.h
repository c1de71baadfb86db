/* The plan parser's sections that live in their own files. Private. */
#ifndef TS_PLAN_PARSE_H
#define TS_PLAN_PARSE_H
#include "plan.h"
#include "plan-json.h"

int plan_parse_process(struct pj *c, json_object *v, struct plan_process *pr);
int plan_parse_seccomp(struct pj *c, json_object *v, struct plan_seccomp *s);
#endif
