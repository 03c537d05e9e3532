"""torch.save(model, PATH) on a whole Module: torch pickles the class; minigrad stores data only and says
what to save instead."""
import pytest

import minigrad


class Net(minigrad.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = minigrad.nn.Linear(2, 1)

    def forward(self, x):
        return self.fc(x)


def test_saving_a_whole_model_says_to_save_its_state_dict(tmp_path):
    with pytest.raises(TypeError, match=r"torch\.save\(model\.state_dict\(\), PATH\).*model = Net\(\.\.\.\)"):
        minigrad.save(Net(), tmp_path / "model.pt")
    assert not (tmp_path / "model.pt").exists()


def test_the_advised_state_dict_round_trip_works(tmp_path):
    net = Net()
    minigrad.save(net.state_dict(), tmp_path / "model.pt")
    again = Net()
    again.load_state_dict(minigrad.load(tmp_path / "model.pt"))
    assert minigrad.equal(again.fc.weight, net.fc.weight)
