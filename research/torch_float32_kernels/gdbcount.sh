op=$1
cat > ./g_$op.gdb <<'G'
set pagination off
set breakpoint pending on
run
rbreak ^mkl_vml_kernel_s
rbreak ^Sleef_
rbreak _Sleef_
break expf
break logf
break __expf_fma
break __logf_fma
break log1pf
break exp
break log
G
echo "python - <<'P'
import gdb
P" > /dev/null
timeout 600 gdb -batch -x ./g_$op.gdb -ex 'python
import gdb
from collections import Counter
c=Counter()
while True:
    try:
        gdb.execute("continue", to_string=True)
    except gdb.error:
        break
    try:
        f=gdb.selected_frame()
    except gdb.error:
        break
    caller=f.older()
    c[(f.name(), caller.name() if caller else None)]+=1
for k,v in c.items(): print("HIT",v,k[0],"<-",(k[1] or "")[:150])
' --args .venv/bin/python probe.py $op 2>&1 | grep -E 'HIT|done'
