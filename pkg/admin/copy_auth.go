package admin

import (
	"context"
	"errors"
)

// AuthCopyResult says what the ACL 2.0 part of a metadata copy did. Names
// and subjects are in the source broker's order (sorted).
type AuthCopyResult struct {
	// AuthCopied is set when users and ACLs were copied (CopyOptions.CopyAuth).
	AuthCopied     bool
	UsersCreated   []string
	UsersUpdated   []string
	UsersUnchanged int
	// UsersWithoutPassword are source users listed without a password
	// and missing on the target: they cannot be created (the broker
	// refuses a blank password), and neither can their ACLs. RocketMQ
	// 5.3 lists passwords, so this stays empty unless a broker withholds them.
	UsersWithoutPassword []string
	ACLsCreated          []string
	ACLsUpdated          []string
	ACLsUnchanged        int
	// ACLsSkipped are the ACLs of UsersWithoutPassword.
	ACLsSkipped []string
}

// copyAuth copies ACL 2.0 users, then ACLs (an ACL needs its user), from
// one broker to another. Brokers keep both locally
// (LocalAuthenticationMetadataProvider, LocalAuthorizationMetadataProvider),
// so a new broker group has only its initial user, and a Proxy that
// authenticates against it refuses everyone else. Nothing is deleted on
// the target; an ACL update merges into what the target has.
//
// A source before 5.3.0 answers REQUEST_CODE_NOT_SUPPORTED: it has no
// ACL 2.0 (nor would the new group), so there is nothing to copy and
// AuthCopied stays false.
func (c *Client) copyAuth(ctx context.Context, from, to string, res *AuthCopyResult) error {
	src, err := c.ListUsers(ctx, from, "")
	if errors.Is(err, ErrRequestCodeNotSupported) {
		return nil
	}
	if err != nil {
		return err
	}
	res.AuthCopied = true
	if err := c.copyUsers(ctx, src, to, res); err != nil {
		return err
	}
	return c.copyACLs(ctx, from, to, res)
}

func (c *Client) copyUsers(ctx context.Context, src []UserInfo, to string, res *AuthCopyResult) error {
	dst, err := c.usersByName(ctx, to)
	if err != nil {
		return err
	}
	for _, u := range src {
		cur, exists := dst[u.Username]
		switch {
		case !exists && u.Password == "":
			res.UsersWithoutPassword = append(res.UsersWithoutPassword, u.Username)
		case !exists:
			if err := c.createOrUpdateUser(ctx, to, u); err != nil {
				return err
			}
			res.UsersCreated = append(res.UsersCreated, u.Username)
		case sameUser(cur, u):
			res.UsersUnchanged++
		default:
			// A blank password in the update keeps the target's.
			if err := c.UpdateUser(ctx, to, u); err != nil {
				return err
			}
			res.UsersUpdated = append(res.UsersUpdated, u.Username)
		}
	}
	return nil
}

// createOrUpdateUser creates a user; when the name is taken (the create
// was resent after a lost connection, or the user appeared meanwhile) it
// updates instead, so the copy stays idempotent.
func (c *Client) createOrUpdateUser(ctx context.Context, addr string, u UserInfo) error {
	err := c.CreateUser(ctx, addr, u)
	if errors.Is(err, ErrUserExists) {
		return c.UpdateUser(ctx, addr, u)
	}
	return err
}

// sameUser compares a target user with a source one; a password the
// source withheld is not compared.
func sameUser(cur, want UserInfo) bool {
	if want.Password == "" {
		want.Password = cur.Password
	}
	return cur.Equal(want)
}

func (c *Client) usersByName(ctx context.Context, addr string) (map[string]UserInfo, error) {
	users, err := c.ListUsers(ctx, addr, "")
	if err != nil {
		return nil, err
	}
	out := make(map[string]UserInfo, len(users))
	for _, u := range users {
		out[u.Username] = u
	}
	return out, nil
}

func (c *Client) copyACLs(ctx context.Context, from, to string, res *AuthCopyResult) error {
	src, err := c.ListACLs(ctx, from, "", "")
	if err != nil {
		return err
	}
	dst, err := c.ListACLs(ctx, to, "", "")
	if err != nil {
		return err
	}
	have := make(map[string]ACLInfo, len(dst))
	for _, a := range dst {
		have[a.Subject] = a
	}
	skip := make(map[string]bool, len(res.UsersWithoutPassword))
	for _, name := range res.UsersWithoutPassword {
		skip[UserSubject(name)] = true
	}
	for _, a := range src {
		cur, exists := have[a.Subject]
		switch {
		case skip[a.Subject]:
			res.ACLsSkipped = append(res.ACLsSkipped, a.Subject)
		case !exists:
			if err := c.CreateACL(ctx, to, a); err != nil {
				return err
			}
			res.ACLsCreated = append(res.ACLsCreated, a.Subject)
		case cur.Covers(a):
			res.ACLsUnchanged++
		default:
			if err := c.UpdateACL(ctx, to, a); err != nil {
				return err
			}
			res.ACLsUpdated = append(res.ACLsUpdated, a.Subject)
		}
	}
	return nil
}
