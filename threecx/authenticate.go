package threecx

import "context"

// Authenticate makes sure that the client holds a valid access token, fetching one when it
// has none, so that a caller can test the client credentials without calling the API. It
// returns a *TokenError when the PBX rejects them. A token it fetches replaces the live
// token of every other client with the same client ID, because 3CX keeps one per ID.
func (c *Client) Authenticate(ctx context.Context) error {
	_, err := c.tokens.Token(ctx)
	return err
}
