"""minigrad.compile(module): the module's forward and backward captured as one node."""


class CompiledModule:
    pass
