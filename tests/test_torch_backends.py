"""torch.backends, torch.accelerator, torch.mps, torch.version and the process-wide settings (threads,
determinism, float32 matmul precision), against torch's CPU build in the same process."""
import importlib
import json
import subprocess
import sys
import warnings

import pytest
import torch

import minigrad
from minigrad import settings
from torch_compare import assert_same_as_torch


@pytest.fixture
def restored_settings():
    """Put back the settings a test changes, in both libraries."""
    saved = dict(settings._state)
    torch_saved = (torch.get_num_threads(), torch.are_deterministic_algorithms_enabled(),
                   torch.is_deterministic_algorithms_warn_only_enabled(), torch.get_float32_matmul_precision())
    yield
    settings._state.update(saved)
    torch.set_num_threads(torch_saved[0])
    torch.use_deterministic_algorithms(torch_saved[1], warn_only=torch_saved[2])
    torch.set_float32_matmul_precision(torch_saved[3])


@pytest.fixture(scope="module")
def fresh_torch():
    """torch's flags as a fresh process reads them (other tests, parity's runner among them, set torch's flags
    in this process)."""
    code = ("import json, torch; b = torch.backends; print(json.dumps({"
            "'cudnn': {f: getattr(b.cudnn, f) for f in " + repr(CUDNN_FLAGS) + "}, "
            "'matmul': {f: getattr(b.cuda.matmul, f) for f in " + repr(MATMUL_FLAGS) + "}}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout)


CUDNN_FLAGS = ["enabled", "benchmark", "deterministic", "allow_tf32", "benchmark_limit"]
MATMUL_FLAGS = ["allow_tf32", "allow_fp16_reduced_precision_reduction", "allow_bf16_reduced_precision_reduction"]


@pytest.mark.parametrize("flag", CUDNN_FLAGS)
def test_cudnn_flag_defaults_are_torchs(flag, fresh_torch):
    assert getattr(minigrad.backends.cudnn, flag) == fresh_torch["cudnn"][flag]


def test_cudnn_benchmark_is_settable_and_reads_back():
    old = minigrad.backends.cudnn.benchmark
    try:
        minigrad.backends.cudnn.benchmark = True
        assert minigrad.backends.cudnn.benchmark is True
    finally:
        minigrad.backends.cudnn.benchmark = old


def test_cudnn_flags_context_puts_the_old_flags_back():
    with minigrad.backends.cudnn.flags(enabled=False, deterministic=True):
        assert (minigrad.backends.cudnn.enabled, minigrad.backends.cudnn.deterministic) == (False, True)
    assert (minigrad.backends.cudnn.enabled, minigrad.backends.cudnn.deterministic) == (True, False)


@pytest.mark.parametrize("path", ["cudnn.is_available", "cudnn.version", "mps.is_available", "mps.is_built",
                                  "cuda.is_built", "opt_einsum.is_available", "opt_einsum.get_opt_einsum"])
def test_backend_query_answers_as_torch_without_cuda(path):
    module, name = path.split(".")
    assert getattr(getattr(minigrad.backends, module), name)() == getattr(getattr(torch.backends, module), name)()


@pytest.mark.parametrize("flag", ["enabled", "strategy"])
def test_opt_einsum_flags_read_as_torchs(flag):
    assert getattr(minigrad.backends.opt_einsum, flag) == getattr(torch.backends.opt_einsum, flag)


@pytest.mark.parametrize("flag", MATMUL_FLAGS)
def test_cuda_matmul_flag_defaults_are_torchs(flag, fresh_torch, restored_settings):
    settings._state["matmul_precision"] = "highest"          # the default, whatever a test before set
    assert getattr(minigrad.backends.cuda.matmul, flag) == fresh_torch["matmul"][flag]


@pytest.mark.parametrize("precision", ["highest", "high", "medium"])
def test_matmul_allow_tf32_follows_the_float32_matmul_precision(precision, restored_settings):
    for lib in (torch, minigrad):
        lib.set_float32_matmul_precision(precision)
    assert minigrad.backends.cuda.matmul.allow_tf32 == torch.backends.cuda.matmul.allow_tf32
    assert minigrad.get_float32_matmul_precision() == torch.get_float32_matmul_precision()


def test_unknown_cuda_matmul_attribute_is_torchs_error():
    assert_same_as_torch(lambda L: L.backends.cuda.matmul.no_such_flag, refused=True)


def test_unknown_float32_matmul_precision_warns_as_torch_and_changes_nothing(restored_settings):
    caught = {}
    for lib in (torch, minigrad):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.set_float32_matmul_precision("low")
        caught[lib] = (str(w[0].message).split(" (Triggered")[0], lib.get_float32_matmul_precision())
    assert caught[minigrad] == caught[torch]


@pytest.mark.parametrize("name", ["is_available", "current_accelerator", "device_count"])
def test_accelerator_answers_as_torch_without_one(name):
    assert getattr(minigrad.accelerator, name)() == getattr(torch.accelerator, name)()


def test_quickstart_device_choice_picks_the_cpu():
    for lib in (torch, minigrad):
        acc = lib.accelerator
        assert (acc.current_accelerator().type if acc.is_available() else "cpu") == "cpu"


@pytest.mark.parametrize("name", ["current_device_index", "synchronize"])
def test_accelerator_device_calls_raise_torchs_error(name):
    assert_same_as_torch(lambda L: getattr(L.accelerator, name)(), refused=True)


@pytest.mark.parametrize("name", ["is_available", "device_count"])
def test_mps_answers_as_torch_without_one(name):
    assert getattr(minigrad.mps, name)() == getattr(torch.mps, name)()


@pytest.mark.parametrize("name", ["seed", "synchronize", "empty_cache"])
def test_mps_device_calls_raise_torchs_error(name):
    assert_same_as_torch(lambda L: getattr(L.mps, name)(), refused=True)


@pytest.mark.parametrize("name", ["cuda", "hip"])
def test_version_names_no_gpu_toolkit(name):
    assert getattr(minigrad.version, name) == getattr(torch.version, name)


def test_version_dunder_is_the_package_version():
    assert minigrad.version.__version__ == minigrad.__version__


def test_set_num_threads_reads_back_as_torch(restored_settings):
    for lib in (torch, minigrad):
        lib.set_num_threads(1)
    assert minigrad.get_num_threads() == torch.get_num_threads() == 1


@pytest.mark.parametrize("value", [0, -2, 1.5])
def test_set_num_threads_refuses_as_torch(value, restored_settings):
    assert_same_as_torch(lambda L: L.set_num_threads(value), refused=True)


def test_set_num_interop_threads_may_be_set_once_only(restored_settings):
    settings._state["interop_set"] = False
    minigrad.set_num_interop_threads(3)
    assert minigrad.get_num_interop_threads() == 3
    with pytest.raises(RuntimeError, match="cannot set number of interop threads after parallel work"):
        minigrad.set_num_interop_threads(3)


@pytest.mark.parametrize("mode, warn_only", [(True, False), (True, True), (False, False)])
def test_deterministic_algorithms_read_back_as_torch(mode, warn_only, restored_settings):
    for lib in (torch, minigrad):
        lib.use_deterministic_algorithms(mode, warn_only=warn_only)
    for name in ("are_deterministic_algorithms_enabled", "is_deterministic_algorithms_warn_only_enabled"):
        assert getattr(minigrad, name)() == getattr(torch, name)()


def test_use_deterministic_algorithms_refuses_a_non_bool_as_torch(restored_settings):
    assert_same_as_torch(lambda L: L.use_deterministic_algorithms("yes"), refused=True)


@pytest.mark.parametrize("module", ["backends", "backends.cudnn", "backends.cuda", "backends.mps",
                                    "backends.opt_einsum", "accelerator", "mps", "version", "special", "testing",
                                    "nn.modules", "nn.modules.loss", "nn.modules.utils", "utils.data"])
def test_submodule_imports_as_torch_under_as_torch(module, monkeypatch):
    """`import torch.backends.cudnn`, `import torch.special` and the like find minigrad's module under
    minigrad.as_torch's hook."""
    import sys
    from minigrad import as_torch
    saved = {name: mod for name, mod in sys.modules.items() if name == "torch" or name.startswith("torch.")}
    for name in saved:
        monkeypatch.delitem(sys.modules, name)
    finder = as_torch.TorchAlias()
    monkeypatch.setattr(sys, "meta_path", [finder, *sys.meta_path])
    try:
        assert importlib.import_module("torch." + module) is importlib.import_module("minigrad." + module)
    finally:
        for name in [m for m in sys.modules if m == "torch" or m.startswith("torch.")]:
            del sys.modules[name]
        sys.modules.update(saved)


@pytest.mark.parametrize("kernel", ["flash", "mem_efficient", "math", "cudnn"])
def test_sdp_kernel_switches_default_and_set_as_torchs(kernel):
    for lib in (torch, minigrad):
        cuda = lib.backends.cuda
        assert getattr(cuda, f"{kernel}_sdp_enabled")() is True
        getattr(cuda, f"enable_{kernel}_sdp")(False)
        try:
            assert getattr(cuda, f"{kernel}_sdp_enabled")() is False
        finally:
            getattr(cuda, f"enable_{kernel}_sdp")(True)


def test_sdp_kernel_context_warns_as_torch_and_puts_the_switches_back():
    seen = {}
    for lib in (torch, minigrad):
        cuda = lib.backends.cuda
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with cuda.sdp_kernel(enable_flash=False):
                inside = (cuda.flash_sdp_enabled(), cuda.math_sdp_enabled())
        seen[lib] = (inside, cuda.flash_sdp_enabled(), [(w.category, str(w.message)) for w in caught])
    assert seen[minigrad] == seen[torch]
