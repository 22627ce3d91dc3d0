# expect: shape
def merge_heads(x):
    # moves the tokens forward but forgets to merge heads and head features
    return x.transpose(1, 2)
