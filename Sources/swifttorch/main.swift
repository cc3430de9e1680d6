print("swifttorch")
