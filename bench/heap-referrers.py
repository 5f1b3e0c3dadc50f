#!/usr/bin/env python3
"""What holds the objects of one class in a heap dump, and whether they are held at all.

    jcmd <pid> GC.heap_dump /tmp/a.hprof      # a full GC, then the live heap
    python3 bench/heap-referrers.py /tmp/a.hprof 'int[]'
    python3 bench/heap-referrers.py /tmp/a.hprof 'io.netty.buffer.AdaptivePoolingAllocator$AdaptiveByteBuf'

Prints the objects of that class (an instance class, or a primitive array such as int[] or byte[]) grouped by their
chain of referrers (the class and field of the referrer, up to DEPTH levels, 4 by default), with counts and bytes, and
the bytes of those that nothing references: no field of any object, no array element, no static field and no GC root.
Those are not live data. Serial's full collection leaves dead objects in place where compacting past them is not worth
it (up to -XX:MarkSweepDeadRatio, 5 % of the generation; every -XX:MarkSweepAlwaysCompactCount-th collection compacts
fully), and on JDK 17 that dead space is formatted as int[] filler, which a class histogram (jcmd GC.class_histogram)
counts as live int[] (JDK 19 gave filler a class of its own). Comparing two dumps of the same process tells live
growth from filler.

Reads the HPROF binary format (JDK 6+, 8-byte identifiers) with the standard library only, about 25 s for a 300 MB dump.
Written for scenario S (bench/README.md, "What grew in S's live heap").
"""
import mmap
import os
import struct
import sys
from collections import Counter, defaultdict

ID = struct.Struct('>Q')
U4 = struct.Struct('>I')
U2 = struct.Struct('>H')
# HPROF basic types: 2 object, 4 boolean, 5 char, 6 float, 7 double, 8 byte, 9 short, 10 int, 11 long
SIZES = {2: 8, 4: 1, 5: 2, 6: 4, 7: 8, 8: 1, 9: 2, 10: 4, 11: 8}
PRIMITIVE_ARRAYS = {'boolean[]': 4, 'char[]': 5, 'float[]': 6, 'double[]': 7, 'byte[]': 8, 'short[]': 9,
                    'int[]': 10, 'long[]': 11}
# heap dump sub-record tags of GC roots, with the size of what follows the tag
ROOTS = {0xFF: 8, 0x01: 16, 0x02: 16, 0x03: 16, 0x04: 12, 0x05: 8, 0x06: 12, 0x07: 8, 0x08: 16}


class Dump:

    def __init__(self, path):
        self.file = open(path, 'rb')
        self.m = mmap.mmap(self.file.fileno(), 0, access=mmap.ACCESS_READ)
        start = self.m.find(b'\0') + 1
        if U4.unpack_from(self.m, start)[0] != 8:
            raise SystemExit('only dumps with 8-byte identifiers are supported')
        self.strings, self.class_names, self.classes = {}, {}, {}
        self.instances, self.object_arrays, self.primitive_arrays = [], [], []
        self.roots, self.statics = set(), []
        self._offsets = {}
        pos, end = start + 12, len(self.m)
        while pos < end:
            tag, length = self.m[pos], U4.unpack_from(self.m, pos + 5)[0]
            body = pos + 9
            if tag == 0x01:
                self.strings[ID.unpack_from(self.m, body)[0]] = self.m[body + 8:body + length].decode('utf8', 'replace')
            elif tag == 0x02:
                self.class_names[ID.unpack_from(self.m, body + 4)[0]] = ID.unpack_from(self.m, body + 16)[0]
            elif tag in (0x0C, 0x1C):
                self._segment(body, body + length)
            pos = body + length

    def _segment(self, p, end):
        m = self.m
        while p < end:
            tag = m[p]
            p += 1
            if tag in ROOTS:
                self.roots.add(ID.unpack_from(m, p)[0])
                p += ROOTS[tag]
            elif tag == 0x20:  # class dump
                cid, superclass = ID.unpack_from(m, p)[0], ID.unpack_from(m, p + 12)[0]
                p += 8 + 4 + 8 * 6 + 4
                count = U2.unpack_from(m, p)[0]
                p += 2
                for _ in range(count):  # constant pool: index, type, value
                    p += 3 + SIZES[m[p + 2]]
                count = U2.unpack_from(m, p)[0]
                p += 2
                for _ in range(count):  # static fields: name, type, value
                    name, kind = ID.unpack_from(m, p)[0], m[p + 8]
                    if kind == 2:
                        self.statics.append((ID.unpack_from(m, p + 9)[0], cid, name))
                    p += 9 + SIZES[kind]
                count = U2.unpack_from(m, p)[0]
                p += 2
                fields = []
                for _ in range(count):  # instance fields: name, type
                    fields.append((ID.unpack_from(m, p)[0], m[p + 8]))
                    p += 9
                self.classes[cid] = (superclass, fields)
            elif tag == 0x21:  # instance: id, stack serial, class, length, field values
                length = U4.unpack_from(m, p + 20)[0]
                self.instances.append((ID.unpack_from(m, p)[0], ID.unpack_from(m, p + 12)[0], p + 24, length))
                p += 24 + length
            elif tag == 0x22:  # object array: id, stack serial, length, element class, elements
                count = U4.unpack_from(m, p + 12)[0]
                self.object_arrays.append((ID.unpack_from(m, p)[0], ID.unpack_from(m, p + 16)[0], p + 24, count))
                p += 24 + 8 * count
            elif tag == 0x23:  # primitive array: id, stack serial, length, type, elements
                count, kind = U4.unpack_from(m, p + 12)[0], m[p + 16]
                self.primitive_arrays.append((ID.unpack_from(m, p)[0], kind, count))
                p += 17 + count * SIZES[kind]
            else:
                raise SystemExit('unknown heap dump record 0x%x' % tag)

    def name(self, cid):
        sid = self.class_names.get(cid)
        return self.strings.get(sid, '?').replace('/', '.') if sid else '?'

    def reference_offsets(self, cid):
        """Offsets of the object fields in an instance's field values, this class's first, then its superclasses'."""
        if cid not in self._offsets:
            offsets, offset, c = [], 0, cid
            while c in self.classes:
                superclass, fields = self.classes[c]
                for name, kind in fields:
                    if kind == 2:
                        offsets.append((offset, self.strings.get(name, '?')))
                    offset += SIZES[kind]
                c = superclass
            self._offsets[cid] = offsets
        return self._offsets[cid]

    def referrers(self, wanted):
        """For each id in wanted: one object or array that references it, as (referrer id, 'Class.field')."""
        found = {}
        for oid, cid, start, _ in self.instances:
            for offset, field in self.reference_offsets(cid):
                value = ID.unpack_from(self.m, start + offset)[0]
                if value in wanted and value not in found:
                    found[value] = (oid, self.name(cid) + '.' + field)
        for oid, element_class, start, count in self.object_arrays:
            for i in range(count):
                value = ID.unpack_from(self.m, start + 8 * i)[0]
                if value in wanted and value not in found:
                    found[value] = (oid, self.name(element_class) + ' element')
        return found


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    dump, target = Dump(sys.argv[1]), sys.argv[2]
    depth = int(os.environ.get('DEPTH', '4'))
    if target in PRIMITIVE_ARRAYS:
        kind = PRIMITIVE_ARRAYS[target]
        objects = {oid: 16 + count * SIZES[kind] for oid, k, count in dump.primitive_arrays if k == kind}
    else:
        cids = {cid for cid in dump.classes if dump.name(cid) == target}
        objects = {oid: 16 + length for oid, cid, _, length in dump.instances if cid in cids}
    print('%s: %d objects, %d bytes' % (target, len(objects), sum(objects.values())))
    links, wanted = {}, set(objects)
    for _ in range(depth):
        found = dump.referrers(wanted)
        links.update(found)
        wanted = {referrer for referrer, _ in found.values()} - set(links)
        if not wanted:
            break
    static_ids = {value for value, _, _ in dump.statics}
    chains, chain_bytes, unheld, unheld_bytes = Counter(), defaultdict(int), 0, 0
    for oid, size in objects.items():
        if oid not in links and oid not in static_ids and oid not in dump.roots:
            unheld += 1
            unheld_bytes += size
            continue
        chain, current = [], oid
        for _ in range(depth):
            if current not in links:
                chain.append('(a static field or a GC root)')
                break
            current, step = links[current]
            chain.append(step)
        key = ' <- '.join(chain)
        chains[key] += 1
        chain_bytes[key] += size
    print('referenced by nothing (not live; int[] on JDK 17: filler for dead space): %d objects, %d bytes'
          % (unheld, unheld_bytes))
    print('held, by chain of referrers (count, bytes):')
    for key, count in chains.most_common(int(os.environ.get('TOP', '25'))):
        print('  %7d %10d  %s' % (count, chain_bytes[key], key))


if __name__ == '__main__':
    main()
