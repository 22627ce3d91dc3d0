# expect: shape
# says: Your output equals rearrange(x, 'b h n d -> b n h d')
def merge_heads(x):
    # moves the tokens forward but forgets to merge heads and head features
    return x.transpose(1, 2)
