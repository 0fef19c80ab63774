"""Personal referral codes and links, referred prospects followed to their first purchase, rewards and fraud guards."""
