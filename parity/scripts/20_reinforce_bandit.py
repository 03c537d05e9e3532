# parity: fast
"""REINFORCE on a 5-armed bandit: a softmax policy (a Categorical over learned logits) pulls arms, each arm pays
a Normal reward around its hidden mean, and Adam follows the policy gradient -(log_prob(arm) * advantage) with a
running-average baseline and a small entropy bonus."""
import torch
from torch.distributions import Categorical, Normal

torch.manual_seed(0)
n_arms, batch = 5, 16
arm_means = torch.randn(n_arms)
print("arm means", arm_means, "best arm", arm_means.argmax().item())

logits = torch.zeros(n_arms, requires_grad=True)
opt = torch.optim.Adam([logits], lr=0.05)
baseline = 0.0
for step in range(150):
    policy = Categorical(logits=logits)
    arms = policy.sample((batch,))                          # which arm each of 16 pulls chose
    rewards = Normal(arm_means[arms], 0.5).sample()         # what each pull paid
    advantage = rewards - baseline
    loss = -(policy.log_prob(arms) * advantage).mean() - 0.01 * policy.entropy()
    opt.zero_grad()
    loss.backward()
    opt.step()
    baseline = 0.9 * baseline + 0.1 * rewards.mean().item()
    if step % 15 == 0:
        print(f"step {step:3d} return {rewards.mean().item():.4f} loss {loss.item():.4f} "
              f"entropy {policy.entropy().item():.4f}")

policy = Categorical(logits=logits)
print("policy", policy)
print("probs", policy.probs)
print("greedy arm", policy.probs.argmax().item(), "expected return", (policy.probs * arm_means).sum().item())
