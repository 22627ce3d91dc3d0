# expect: mutated_input
def channel_max_pool(x):
    # a ReLU "for safety", done in place: the caller's tensor changes
    return x.clamp_(min=0).amax(dim=1, keepdim=True)
