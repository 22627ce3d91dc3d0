# expect: type
def stack_tensors(tensors):
    # each item gets its new axis, but the result is still a Python list
    return [t.unsqueeze(0) for t in tensors]
