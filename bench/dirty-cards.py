#!/usr/bin/env python3
"""Which objects lie on the cards a young collection scans (Serial GC, JDK 17), from a heap dump and a probe trace.

A young collection of Serial scans every card (512 bytes of the old generation) that a reference store marked since
the last one. At 19.5k held streams that scan is most of each young pause (scenario S), so the pause follows how many
cards a publish marks and how many objects lie on them. This script names them:

    LIBJVM=$(dirname $(readlink -f $(which java)))/../lib/server/libjvm.so
    perf probe -x $LIBJVM -a "dcto=0x$(nm $LIBJVM | grep _ZN21DirtyCardToOopClosure12do_MemRegionE9MemRegion \\
        | cut -d' ' -f1) start=%si:u64 words=%dx:u64"
    perf probe -x $LIBJVM -a "gcc=0x$(nm $LIBJVM | grep _ZN16DefNewGeneration7collectEbbmb | cut -d' ' -f1)"
    jcmd <pid> GC.heap_dump -all /tmp/h.hprof          # no collection first: old objects keep their addresses
    perf record -e probe_libjvm:dcto -e probe_libjvm:gcc -p <pid> -o /tmp/cards.perf -- sleep 8
    perf script -i /tmp/cards.perf > /tmp/cards.txt
    python3 bench/dirty-cards.py /tmp/h.hprof /tmp/cards.txt

The first probe fires once per run of marked cards the collection scans (its start address and length in words), the
second once per young collection. For the first collection that scanned at least MIN_REGIONS runs, it prints the
runs, cards and objects walked, then the classes whose objects lie mostly on scanned cards (the stores, and their
neighbours), then which of those classes, taken in that order, account for the scanned cards. Objects promoted after
the dump are not in it; a young collection does not move old objects, so the rest are where the dump saw them.
Written for scenario S (bench/README.md, "What a fan-out leaves for the young collection").
"""
import bisect
import collections
import importlib.util
import os
import re
import sys

CARD = 512
MIN_REGIONS = int(os.environ.get('MIN_REGIONS', '1000'))
MIN_INSTANCES = int(os.environ.get('MIN_INSTANCES', '1000'))

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('heap_referrers', os.path.join(here, 'heap-referrers.py'))
heap = importlib.util.module_from_spec(spec)
spec.loader.exec_module(heap)
PRIMITIVE = {kind: name for name, kind in heap.PRIMITIVE_ARRAYS.items()}


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    dump = heap.Dump(sys.argv[1])
    objects = [(oid, dump.name(cid)) for oid, cid, _, _ in dump.instances]
    objects += [(oid, dump.name(cid)) for oid, cid, _, _ in dump.object_arrays]  # the array's own class
    objects += [(oid, PRIMITIVE[kind]) for oid, kind, _ in dump.primitive_arrays]
    objects.sort()
    addresses = [address for address, _ in objects]
    instances = collections.Counter(name for _, name in objects)

    collections_seen, regions = [], None
    for line in open(sys.argv[2]):
        if 'probe_libjvm:gcc' in line:
            regions = []
            collections_seen.append(regions)
        elif 'probe_libjvm:dcto' in line and regions is not None:
            found = re.search(r'start=(\d+) words=(\d+)', line)
            regions.append((int(found.group(1)), int(found.group(2))))
    print('young collections traced: %d; runs of marked cards each: %s'
          % (len(collections_seen), [len(r) for r in collections_seen]))
    scanned = next((r for r in collections_seen if len(r) >= MIN_REGIONS), None)
    if scanned is None:
        raise SystemExit('no collection scanned %d runs or more (MIN_REGIONS)' % MIN_REGIONS)

    cards = {}
    for start, words in scanned:
        for card in range(start // CARD, (start + words * 8 + CARD - 1) // CARD):
            cards[card] = set()
    walked = 0
    for card, names in cards.items():
        i = max(bisect.bisect_right(addresses, card * CARD) - 1, 0)  # the object reaching into the card, then on it
        while i < len(addresses) and addresses[i] < (card + 1) * CARD:
            names.add(objects[i][1])
            walked += 1
            i += 1
    print('scanned: %d runs, %d cards (%.1f MB), %d objects on them'
          % (len(scanned), len(cards), len(cards) * CARD / 1e6, walked))

    on_cards = collections.Counter(name for address, name in objects if address // CARD in cards)
    shares = sorted(((on_cards[name] / instances[name], name) for name in on_cards
                     if instances[name] >= MIN_INSTANCES), reverse=True)
    print('classes with %d+ objects, by the share of them on scanned cards:' % MIN_INSTANCES)
    for share, name in shares[:20]:
        print('  %5.1f%%  %8d  %s' % (share * 100, instances[name], name))
    print('cards accounted for, class by class in that order:')
    left = set(cards)
    for share, name in shares:
        if share < 0.5 or not left:
            break
        before = len(left)
        left = {card for card in left if name not in cards[card]}
        if before > len(left):
            print('  %8d  %s (%d left)' % (before - len(left), name, len(left)))


if __name__ == '__main__':
    main()
