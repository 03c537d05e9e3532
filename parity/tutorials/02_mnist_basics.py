# Tutorial 2 (MNIST basics, the fastai book's chapter 4): the code of every ```python block of
# ../shared/tutorials/02_mnist_basics.md, character for character, in order. Each block is under a comment
# holding the heading above it in the tutorial (`# ## S4. ...`; a second block under the same heading repeats
# it with "(continued)"). parity/verbatim.py runs these blocks with torch and with minigrad as torch, and
# tests/test_verbatim_shipped.py checks them against the tutorial wherever ../shared is present.
#
# Substituted when run (parity/verbatim.py, SUBSTITUTIONS; nothing is changed in the code below):
# * `from fastai.vision.all import *` is replaced, on the minigrad side by `from minigrad.fastai import *`; on
#   the torch side by `from fastai.basics import *`, `from fastai.callback.progress import *`,
#   `from PIL import Image`, fastbook's `plot_function`, and an `untar_data` that extracts the MNIST_SAMPLE
#   archive shipped in minigrad/datasets (there is no download).
# * torch.manual_seed(42) and random.seed(42) before the first block (the tutorial sets no seed).
# * S9 (a ResNet-18 epoch) is not run.
# * plots draw into matplotlib's Agg backend.

# ## S1. Load the images
path = untar_data(URLs.MNIST_SAMPLE)
path.ls()                                  # labels.csv, train, valid
(path/'train').ls()                        # train/7, train/3
threes = (path/'train'/'3').ls().sorted()
sevens = (path/'train'/'7').ls().sorted()
im3 = Image.open(threes[1])
array(im3)[4:10, 4:10]                     # the pixels as numbers
tensor(im3)[4:10, 4:10]

# ## S2. Pixel similarity: a baseline with no learning
three_tensors = [tensor(Image.open(o)) for o in threes]
seven_tensors = [tensor(Image.open(o)) for o in sevens]
len(three_tensors), len(seven_tensors)      # 6131, 6265
show_image(three_tensors[6000])
stacked_threes = torch.stack(three_tensors).float()/255
stacked_sevens = torch.stack(seven_tensors).float()/255
stacked_threes.shape                        # (6131, 28, 28)
len(stacked_threes.shape)                   # rank 3
mean3 = stacked_threes.mean(0); show_image(mean3)
mean7 = stacked_sevens.mean(0); show_image(mean7)

a_3 = stacked_threes[15]
dist_3_abs = (a_3 - mean3).abs().mean()            # L1
dist_3_sqr = ((a_3 - mean3)**2).mean().sqrt()      # RMSE
dist_7_abs = (a_3 - mean7).abs().mean()
dist_7_sqr = ((a_3 - mean7)**2).mean().sqrt()
F.l1_loss(a_3.float(), mean7), F.mse_loss(a_3, mean7).sqrt()

valid_3_tens = torch.stack([tensor(Image.open(o)) for o in (path/'valid'/'3').ls()]).float()/255
valid_7_tens = torch.stack([tensor(Image.open(o)) for o in (path/'valid'/'7').ls()]).float()/255
valid_3_tens.shape, valid_7_tens.shape             # (1010, 28, 28), (1028, 28, 28)

def mnist_distance(a, b): return (a - b).abs().mean((-1, -2))
mnist_distance(a_3, mean3)
valid_3_dist = mnist_distance(valid_3_tens, mean3)  # broadcasting: shape (1010,)
(valid_3_tens - mean3).shape                        # (1010, 28, 28)

def is_3(x): return mnist_distance(x, mean3) < mnist_distance(x, mean7)
is_3(a_3), is_3(a_3).float()
is_3(valid_7_tens)
accuracy_3s = is_3(valid_3_tens).float().mean()
accuracy_7s = (1 - is_3(valid_7_tens).float()).mean()
accuracy_3s, accuracy_7s, (accuracy_3s + accuracy_7s)/2

# ## S3. Gradients
def f(x): return x**2
xt = tensor(3.).requires_grad_()
yt = f(xt)              # tensor(9., grad_fn=<PowBackward0>)
yt.backward()
xt.grad                 # tensor(6.)

arr = tensor([3., 4., 10.]).requires_grad_()
f(arr).backward()       # RuntimeError: grad can be implicitly created only for scalar outputs

def f(x): return (x**2).sum()
arr = tensor([3., 4., 10.]).requires_grad_()
arry = f(arr)           # tensor(125., grad_fn=<SumBackward0>)
arry.backward()
arr.grad                # tensor([ 6.,  8., 20.])

# ## S4. SGD end to end: fitting a quadratic to a roller coaster's speed
time = torch.arange(0, 20).float()
speed = torch.randn(20)*3 + 0.75*(time - 9.5)**2 + 1

def f(t, params):
    a, b, c = params
    return a*(t**2) + (b*t) + c

def mse(preds, targets): return ((preds - targets)**2).mean().sqrt()   # really RMSE

params = torch.randn(3).requires_grad_()
preds = f(time, params)
loss = mse(preds, speed)       # grad_fn=<SqrtBackward0>
loss.backward()
params.grad

lr = 1e-5
params.data -= lr * params.grad.data
params.grad = None

def apply_step(params, prn=True):
    preds = f(time, params)
    loss = mse(preds, speed)
    loss.backward()
    params.data -= lr * params.grad.data
    params.grad = None
    if prn: print(loss.item())
    return preds

for i in range(10): apply_step(params)
lr = 1e-3
for i in range(10): apply_step(params)

# ## S5. A linear model of the pixels, trained by hand
train_x = torch.cat([stacked_threes, stacked_sevens]).view(-1, 28*28)
train_y = tensor([1]*len(threes) + [0]*len(sevens)).unsqueeze(1)
train_x.shape, train_y.shape                  # (12396, 784), (12396, 1)
dset = list(zip(train_x, train_y))
valid_x = torch.cat([valid_3_tens, valid_7_tens]).view(-1, 28*28)
valid_y = tensor([1]*len(valid_3_tens) + [0]*len(valid_7_tens)).unsqueeze(1)
valid_dset = list(zip(valid_x, valid_y))

def init_params(size, std=1.0): return (torch.randn(size)*std).requires_grad_()
weights = init_params((28*28, 1))
bias = init_params(1)
(train_x[0]*weights.T).sum() + bias
def linear1(xb): return xb@weights + bias
preds = linear1(train_x)
corrects = (preds > 0.5).float() == train_y
corrects.float().mean().item()

weights = weights.clone()                  # a small change to one weight
weights[0] = weights[0] * 1.0001           # leaves the accuracy where it was
preds = linear1(train_x)
((preds > 0.5).float() == train_y).float().mean().item()

def mnist_loss(predictions, targets):
    return torch.where(targets == 1, 1 - predictions, predictions).mean()
trgts = tensor([1, 0, 1]); prds = tensor([0.9, 0.4, 0.2])
torch.where(trgts == 1, 1 - prds, prds)
mnist_loss(prds, trgts)
mnist_loss(tensor([0.9, 0.4, 0.8]), trgts)

def sigmoid(x): return 1/(1 + torch.exp(-x))
plot_function(torch.sigmoid, title='Sigmoid', min=-4, max=4)

def mnist_loss(predictions, targets):
    predictions = predictions.sigmoid()
    return torch.where(targets == 1, 1 - predictions, predictions).mean()

# ## S5. A linear model of the pixels, trained by hand (continued)
coll = range(15)
dl = DataLoader(coll, batch_size=5, shuffle=True)
list(dl)                                   # three shuffled batches of five

weights = init_params((28*28, 1))
bias = init_params(1)
dl = DataLoader(dset, batch_size=256)
xb, yb = first(dl)                         # (256, 784), (256, 1)
valid_dl = DataLoader(valid_dset, batch_size=256)

batch = train_x[:4]
preds = linear1(batch)
loss = mnist_loss(preds, train_y[:4])
loss.backward()
weights.grad.shape, weights.grad.mean(), bias.grad

def calc_grad(xb, yb, model):
    preds = model(xb)
    loss = mnist_loss(preds, yb)
    loss.backward()
calc_grad(batch, train_y[:4], linear1)     # called twice: the gradients add up
calc_grad(batch, train_y[:4], linear1)
weights.grad.zero_(); bias.grad.zero_()

def train_epoch(model, lr, params):
    for xb, yb in dl:
        calc_grad(xb, yb, model)
        for p in params:
            p.data -= p.grad*lr
            p.grad.zero_()

def batch_accuracy(xb, yb):
    preds = xb.sigmoid()
    correct = (preds > 0.5) == yb
    return correct.float().mean()

def validate_epoch(model):
    accs = [batch_accuracy(model(xb), yb) for xb, yb in valid_dl]
    return round(torch.stack(accs).mean().item(), 4)

lr = 1.
params = weights, bias
train_epoch(linear1, lr, params); validate_epoch(linear1)
for i in range(20):
    train_epoch(linear1, lr, params)
    print(validate_epoch(linear1), end=' ')

# ## S6. An optimizer object
linear_model = nn.Linear(28*28, 1)
w, b = linear_model.parameters()           # shapes (1, 784), (1,)

class BasicOptim:
    def __init__(self, params, lr): self.params, self.lr = list(params), lr
    def step(self, *args, **kwargs):
        for p in self.params: p.data -= p.grad.data * self.lr
    def zero_grad(self, *args, **kwargs):
        for p in self.params: p.grad = None

opt = BasicOptim(linear_model.parameters(), lr)
def train_epoch(model):
    for xb, yb in dl:
        calc_grad(xb, yb, model)
        opt.step()
        opt.zero_grad()

def train_model(model, epochs):
    for i in range(epochs):
        train_epoch(model)
        print(validate_epoch(model), end=' ')

train_model(linear_model, 20)

linear_model = nn.Linear(28*28, 1)
opt = SGD(linear_model.parameters(), lr)   # fastai's SGD does what BasicOptim does
train_model(linear_model, 20)

# ## S7. fastai's Learner
dls = DataLoaders(dl, valid_dl)
learn = Learner(dls, nn.Linear(28*28, 1), opt_func=SGD,
                loss_func=mnist_loss, metrics=batch_accuracy)
learn.fit(10, lr)

# ## S8. Adding a nonlinearity
def simple_net(xb):
    res = xb@w1 + b1
    res = res.max(tensor(0.0))
    res = res@w2 + b2
    return res
w1 = init_params((28*28, 30)); b1 = init_params(30)
w2 = init_params((30, 1));     b2 = init_params(1)

simple_net = nn.Sequential(
    nn.Linear(28*28, 30),
    nn.ReLU(),
    nn.Linear(30, 1)
)
learn = Learner(dls, simple_net, opt_func=SGD,
                loss_func=mnist_loss, metrics=batch_accuracy)
learn.fit(40, 0.1)
plt.plot(L(learn.recorder.values).itemgot(2))
learn.recorder.values[-1][2]               # the final accuracy

# ## S9. Going deeper (the tutorial's last step)
dls = ImageDataLoaders.from_folder(path)
learn = cnn_learner(dls, resnet18, pretrained=False,
                    loss_func=F.cross_entropy, metrics=accuracy)
learn.fit_one_cycle(1, 0.1)
