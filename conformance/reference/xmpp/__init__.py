"""xmpp"""
