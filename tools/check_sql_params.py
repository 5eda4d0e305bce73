#!/usr/bin/env python3
"""Checks every db_exec / db_query_int / db_query_text call in src/ whose SQL and type string are
string literals: the number of SQL parameters (the highest ?N, or the number of ?) must equal the
number of letters in the type string (db.h: i, t, n). A mismatch reads a vararg of the wrong type
and crashes or binds the wrong value at run time; this finds it before. Prints each mismatch with
file:line and ends with "mismatches N"; exit 1 when N > 0. Run from the project root."""
import re, sys, glob
call = re.compile(r'\b(db_exec|db_query_int|db_query_text)\s*\(')
def parse_args(s, i):
    depth=0; args=[]; cur=''; j=i
    instr=False
    while j < len(s):
        c=s[j]
        if instr:
            cur+=c
            if c=='\\': cur+=s[j+1]; j+=2; continue
            if c=='"': instr=False
        elif c=='"': instr=True; cur+=c
        elif c in '([{': depth+=1; cur+=c
        elif c in ')]}':
            if depth==0: args.append(cur); return args
            depth-=1; cur+=c
        elif c==',' and depth==0: args.append(cur); cur=''
        else: cur+=c
        j+=1
    return args
bad=0
for f in glob.glob('src/**/*.c', recursive=True):
    s=open(f).read()
    for m in call.finditer(s):
        args=parse_args(s, m.end())
        fn=m.group(1)
        k = 1 if fn=='db_exec' else 2
        if len(args) <= k+1: continue
        sql=args[k].strip(); types=args[k+1].strip()
        if not re.fullmatch(r'(\s*"(?:[^"\\]|\\.)*"\s*)+', sql): continue
        if not re.fullmatch(r'(\s*"(?:[^"\\]|\\.)*"\s*)+', types) and types!='NULL': continue
        text=''.join(re.findall(r'"((?:[^"\\]|\\.)*)"', sql))
        text=re.sub(r"'[^']*'", "", text)
        nums=[int(x) for x in re.findall(r'\?(\d+)', text)]
        nparam = max(nums) if nums else text.count('?')
        t=''.join(re.findall(r'"((?:[^"\\]|\\.)*)"', types)) if types!='NULL' else ''
        if nparam != len(t):
            line=s[:m.start()].count('\n')+1
            print(f"{f}:{line}: {fn} params {nparam} types '{t}'"); bad+=1
print("mismatches", bad)
sys.exit(1 if bad else 0)
