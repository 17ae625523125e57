"""The writer's Merkle tree (RFC 9162 §2.1): roots, inclusion and consistency proofs at any size.

Every complete subtree's hash is kept, level by level, in one ``bytearray`` per level (32 bytes a node,
about 64 bytes per leaf in all), so a proof is O(log n) lookups and at most O(log² n) hashes for the
right edge of a tree whose size is not a power of two.  The verifier (``contracts.auditproof``) is
written separately on purpose.
"""

from __future__ import annotations

import hashlib

from opendsop.standard import auditlog

_N = auditlog.HASH_BYTES


def hash_leaf(data: bytes) -> bytes:
    return hashlib.sha256(auditlog.LEAF_PREFIX + data).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(auditlog.NODE_PREFIX + left + right).digest()


def _largest_power_of_two_below(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree:
    """An append-only tree of leaf hashes; ``levels[h][i]`` is the hash of leaves ``[i·2^h, (i+1)·2^h)``."""

    def __init__(self) -> None:
        self._levels: list[bytearray] = [bytearray()]

    @property
    def size(self) -> int:
        return len(self._levels[0]) // _N

    def append_leaf(self, data: bytes) -> None:
        self.append_hash(hash_leaf(data))

    def append_hash(self, node: bytes) -> None:
        level = 0
        self._levels[0] += node
        while (len(self._levels[level]) // _N) % 2 == 0:
            pair = self._levels[level][-2 * _N :]
            node = hash_children(bytes(pair[:_N]), bytes(pair[_N:]))
            level += 1
            if level == len(self._levels):
                self._levels.append(bytearray())
            self._levels[level] += node

    def _node(self, level: int, index: int) -> bytes:
        return bytes(self._levels[level][index * _N : (index + 1) * _N])

    def subtree(self, start: int, end: int) -> bytes:
        """MTH of leaves ``[start, end)`` (``start`` aligned as RFC 9162's recursion leaves it)."""
        n = end - start
        if n == 0:
            return auditlog.EMPTY_ROOT
        if n & (n - 1) == 0 and start % n == 0:
            return self._node(n.bit_length() - 1, start // n)
        k = _largest_power_of_two_below(n)
        return hash_children(self.subtree(start, start + k), self.subtree(start + k, end))

    def root(self, size: int | None = None) -> bytes:
        size = self.size if size is None else size
        self._check(size)
        return self.subtree(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, leaf first."""
        size = self.size if size is None else size
        self._check(size)
        if not 0 <= index < size:
            raise ValueError(f"leaf {index} is not in a tree of {size}")
        return self._path(index, 0, size)

    def _path(self, index: int, start: int, end: int) -> list[bytes]:
        n = end - start
        if n == 1:
            return []
        k = _largest_power_of_two_below(n)
        if index < k:
            return [*self._path(index, start, start + k), self.subtree(start + k, end)]
        return [*self._path(index - k, start + k, end), self.subtree(start, start + k)]

    def consistency_proof(self, size1: int, size2: int | None = None) -> list[bytes]:
        """PROOF(size1, D[0:size2]) of RFC 9162 §2.1.4.1."""
        size2 = self.size if size2 is None else size2
        self._check(size2)
        if not 0 <= size1 <= size2:
            raise ValueError(f"no consistency proof from {size1} to {size2}")
        if size1 in (0, size2):
            return []
        return self._subproof(size1, 0, size2, True)

    def _subproof(self, m: int, start: int, end: int, complete: bool) -> list[bytes]:
        n = end - start
        if m == n:
            return [] if complete else [self.subtree(start, end)]
        k = _largest_power_of_two_below(n)
        if m <= k:
            return [*self._subproof(m, start, start + k, complete), self.subtree(start + k, end)]
        return [*self._subproof(m - k, start + k, end, False), self.subtree(start, start + k)]

    def _check(self, size: int) -> None:
        if not 0 <= size <= self.size:
            raise ValueError(f"the tree has {self.size} leaves, not {size}")


__all__ = ["MerkleTree", "hash_children", "hash_leaf"]
