"""Emit the kinds of signals the app uses, a few thousand times, and report whether the
references to ``True`` and ``False`` held. A child process: on a PySide6 release with the
reference bug (6.12.0) the interpreter aborts (``bool_dealloc``) once they run out, and the
test must see that as a failure, not die with it.

Prints one line per kind, ``KIND before after``, and exits 1 at the first kind that lost
references (before they run out).
"""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

ROUNDS, BATCH = 20, 100   # 2,000 emits per kind, checked every 100
TOLERANCE = 20            # unrelated code may take or drop a few references


class Emitter(QObject):
    nothing = Signal()
    text = Signal(str)
    flag = Signal(bool)
    number = Signal(int)
    thing = Signal(object)


class Receiver(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    @Slot()
    def on_nothing(self) -> None:
        self.calls += 1

    @Slot(str)
    def on_text(self, value: str) -> None:
        self.calls += 1

    @Slot(bool)
    def on_flag(self, value: bool) -> None:
        self.calls += 1

    @Slot(int)
    def on_number(self, value: int) -> None:
        self.calls += 1

    def on_thing(self, value: object) -> None:  # an undecorated method, as the app has too
        self.calls += 1


def main() -> int:
    app = QCoreApplication(sys.argv[:1])
    emitter, receiver = Emitter(), Receiver()
    seen: list[object] = []
    emitter.nothing.connect(receiver.on_nothing)
    emitter.nothing.connect(lambda: seen.append(None))
    emitter.text.connect(receiver.on_text)
    emitter.text.connect(lambda v: seen.append(v))
    emitter.flag.connect(receiver.on_flag)
    emitter.flag.connect(lambda v: seen.append(v))
    emitter.number.connect(receiver.on_number)
    emitter.number.connect(lambda v: seen.append(v))
    emitter.thing.connect(receiver.on_thing)
    emitter.thing.connect(lambda v: seen.append(v))
    kinds = {
        "none": lambda i: emitter.nothing.emit(),
        "str": lambda i: emitter.text.emit("x"),
        "bool": lambda i: emitter.flag.emit(i % 2 == 0),
        "int": lambda i: emitter.number.emit(i),
        "object": lambda i: emitter.thing.emit({"i": i}),
    }
    status = 0
    for name, emit in kinds.items():
        gc.collect()
        before = (sys.getrefcount(True), sys.getrefcount(False))
        after = before
        for _ in range(ROUNDS):
            for i in range(BATCH):
                emit(i)
            seen.clear()
            gc.collect()
            after = (sys.getrefcount(True), sys.getrefcount(False))
            if min(after[0] - before[0], after[1] - before[1]) < -TOLERANCE:
                break
        print(f"{name} True {before[0]} -> {after[0]}, False {before[1]} -> {after[1]}",
              flush=True)
        if min(after[0] - before[0], after[1] - before[1]) < -TOLERANCE:
            status = 1
            break
    del app
    return status


if __name__ == "__main__":
    sys.exit(main())
