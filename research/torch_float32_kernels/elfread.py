import struct, sys
LIB='.venv/lib/python3.11/site-packages/torch/lib/libtorch_cpu.so'
def read(vaddr, n):
    with open(LIB,'rb') as f:
        h=f.read(64)
        phoff=struct.unpack_from('<Q',h,0x20)[0]; phentsize,phnum=struct.unpack_from('<HH',h,0x36)
        f.seek(phoff); ph=f.read(phentsize*phnum)
        for i in range(phnum):
            p_type,p_flags,p_offset,p_vaddr,p_paddr,p_filesz,p_memsz,p_align=struct.unpack_from('<IIQQQQQQ',ph,i*phentsize)
            if p_type==1 and p_vaddr<=vaddr<p_vaddr+p_filesz:
                f.seek(p_offset+vaddr-p_vaddr); return f.read(n)
    raise KeyError(hex(vaddr))
