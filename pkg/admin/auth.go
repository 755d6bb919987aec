package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Sentinels for the ACL 2.0 answers callers act on. The broker reports
// them all as NO_PERMISSION with the exception's message
// (AdminBrokerProcessor.handleAuthException), so an error wrapping one of
// these also matches ErrNoPermission.
var (
	ErrUserExists      = errors.New("rocketmq: user already exists")
	ErrUserNotExist    = errors.New("rocketmq: user does not exist")
	ErrSubjectNotExist = errors.New("rocketmq: ACL subject does not exist")
	ErrACLNotExist     = errors.New("rocketmq: ACL does not exist")
)

// authError adds the ACL 2.0 sentinel matching a NO_PERMISSION remark:
// AuthenticationMetadataManagerImpl and AuthorizationMetadataManagerImpl
// throw these messages.
func authError(err error) error {
	var re *ResponseError
	if !errors.As(err, &re) || re.Code != CodeNoPermission {
		return err
	}
	switch r := re.Remark; {
	case r == "The user is existed":
		return fmt.Errorf("%w: %w", ErrUserExists, err)
	case r == "The user is not exist":
		return fmt.Errorf("%w: %w", ErrUserNotExist, err)
	case strings.HasPrefix(r, "The subject") && strings.HasSuffix(r, "is not exist."):
		return fmt.Errorf("%w: %w", ErrSubjectNotExist, err)
	case r == "The acl is not exist.":
		return fmt.Errorf("%w: %w", ErrACLNotExist, err)
	}
	return err
}

// ListUsers returns the users of a broker whose name contains filter (all
// when empty), in the broker's order (AUTH_LIST_USER, 3005,
// ListUsersRequestHeader, body List<UserInfo>; no body when none).
func (c *Client) ListUsers(ctx context.Context, brokerAddr, filter string) ([]UserInfo, error) {
	resp, err := c.invoke(ctx, brokerAddr, CodeAuthListUser, optional("filter", filter), nil)
	if err != nil {
		return nil, fmt.Errorf("listing users of %s: %w", brokerAddr, authError(err))
	}
	var users []UserInfo
	if len(resp.Body) == 0 {
		return users, nil
	}
	if err := decodeBody(resp.Body, &users, "List<UserInfo>"); err != nil {
		return nil, fmt.Errorf("listing users of %s: %w", brokerAddr, err)
	}
	return users, nil
}

// GetUser returns one user, or nil when the broker has none of that name
// (AUTH_GET_USER, 3004, GetUserRequestHeader; SUCCESS without a body).
func (c *Client) GetUser(ctx context.Context, brokerAddr, username string) (*UserInfo, error) {
	resp, err := c.invoke(ctx, brokerAddr, CodeAuthGetUser, map[string]string{"username": username}, nil)
	if err != nil {
		return nil, fmt.Errorf("getting user %q from %s: %w", username, brokerAddr, authError(err))
	}
	if len(resp.Body) == 0 {
		return nil, nil
	}
	var u UserInfo
	if err := decodeBody(resp.Body, &u, "UserInfo"); err != nil {
		return nil, fmt.Errorf("getting user %q from %s: %w", username, brokerAddr, err)
	}
	return &u, nil
}

// CreateUser creates a user (AUTH_CREATE_USER, 3001, CreateUserRequestHeader,
// body UserInfo); ErrUserExists when the name is taken. Creating a Super
// user needs a Super signer.
func (c *Client) CreateUser(ctx context.Context, brokerAddr string, u UserInfo) error {
	if err := c.writeUser(ctx, brokerAddr, CodeAuthCreateUser, u); err != nil {
		return fmt.Errorf("creating user %q on %s: %w", u.Username, brokerAddr, err)
	}
	return nil
}

// UpdateUser changes a user's password, type or status (AUTH_UPDATE_USER,
// 3002, UpdateUserRequestHeader, body UserInfo); empty fields keep their
// value. ErrUserNotExist when there is no such user.
func (c *Client) UpdateUser(ctx context.Context, brokerAddr string, u UserInfo) error {
	if err := c.writeUser(ctx, brokerAddr, CodeAuthUpdateUser, u); err != nil {
		return fmt.Errorf("updating user %q on %s: %w", u.Username, brokerAddr, err)
	}
	return nil
}

func (c *Client) writeUser(ctx context.Context, brokerAddr string, code int, u UserInfo) error {
	body, err := json.Marshal(u)
	if err != nil {
		return fmt.Errorf("encoding UserInfo: %w", err)
	}
	_, err = c.invoke(ctx, brokerAddr, code, map[string]string{"username": u.Username}, body)
	return authError(err)
}

// DeleteUser deletes a user and its ACL (AUTH_DELETE_USER, 3003,
// DeleteUserRequestHeader). A missing user is SUCCESS.
func (c *Client) DeleteUser(ctx context.Context, brokerAddr, username string) error {
	if _, err := c.invoke(ctx, brokerAddr, CodeAuthDeleteUser, map[string]string{"username": username}, nil); err != nil {
		return fmt.Errorf("deleting user %q on %s: %w", username, brokerAddr, authError(err))
	}
	return nil
}

// ListACLs returns the ACLs whose subject key contains subjectFilter and,
// with resourceFilter, only the entries whose resource contains it
// (AUTH_LIST_ACL, 3010, ListAclsRequestHeader, body List<AclInfo>).
func (c *Client) ListACLs(ctx context.Context, brokerAddr, subjectFilter, resourceFilter string) ([]ACLInfo, error) {
	ext := optional("subjectFilter", subjectFilter)
	if resourceFilter != "" {
		ext["resourceFilter"] = resourceFilter
	}
	resp, err := c.invoke(ctx, brokerAddr, CodeAuthListACL, ext, nil)
	if err != nil {
		return nil, fmt.Errorf("listing ACLs of %s: %w", brokerAddr, authError(err))
	}
	var acls []ACLInfo
	if len(resp.Body) == 0 {
		return acls, nil
	}
	if err := decodeBody(resp.Body, &acls, "List<AclInfo>"); err != nil {
		return nil, fmt.Errorf("listing ACLs of %s: %w", brokerAddr, err)
	}
	return acls, nil
}

// GetACL returns the ACL of a subject ("User:<name>"), or nil when the
// subject has none (AUTH_GET_ACL, 3009, GetAclRequestHeader);
// ErrSubjectNotExist when the user does not exist.
func (c *Client) GetACL(ctx context.Context, brokerAddr, subject string) (*ACLInfo, error) {
	resp, err := c.invoke(ctx, brokerAddr, CodeAuthGetACL, map[string]string{"subject": subject}, nil)
	if err != nil {
		return nil, fmt.Errorf("getting the ACL of %q from %s: %w", subject, brokerAddr, authError(err))
	}
	if len(resp.Body) == 0 {
		return nil, nil
	}
	var a ACLInfo
	if err := decodeBody(resp.Body, &a, "AclInfo"); err != nil {
		return nil, fmt.Errorf("getting the ACL of %q from %s: %w", subject, brokerAddr, err)
	}
	return &a, nil
}

// CreateACL adds policies to a subject's ACL (AUTH_CREATE_ACL, 3006,
// CreateAclRequestHeader, body AclInfo). Java merges into an existing ACL
// exactly as UpdateACL does (entries of the same policy type and resource
// are replaced, others stay); ErrSubjectNotExist when the user is missing.
func (c *Client) CreateACL(ctx context.Context, brokerAddr string, a ACLInfo) error {
	if err := c.writeACL(ctx, brokerAddr, CodeAuthCreateACL, a); err != nil {
		return fmt.Errorf("creating the ACL of %q on %s: %w", a.Subject, brokerAddr, err)
	}
	return nil
}

// UpdateACL merges policies into a subject's ACL (AUTH_UPDATE_ACL, 3007,
// UpdateAclRequestHeader, body AclInfo), creating it when absent. It
// never removes an entry.
func (c *Client) UpdateACL(ctx context.Context, brokerAddr string, a ACLInfo) error {
	if err := c.writeACL(ctx, brokerAddr, CodeAuthUpdateACL, a); err != nil {
		return fmt.Errorf("updating the ACL of %q on %s: %w", a.Subject, brokerAddr, err)
	}
	return nil
}

func (c *Client) writeACL(ctx context.Context, brokerAddr string, code int, a ACLInfo) error {
	body, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("encoding AclInfo: %w", err)
	}
	_, err = c.invoke(ctx, brokerAddr, code, map[string]string{"subject": a.Subject}, body)
	return authError(err)
}

// DeleteACL removes the entry of resource from the subject's policy of
// policyType (Custom when empty), or the whole ACL when resource is empty
// (AUTH_DELETE_ACL, 3008, DeleteAclRequestHeader). ErrACLNotExist when the
// subject has no ACL.
func (c *Client) DeleteACL(ctx context.Context, brokerAddr, subject, policyType, resource string) error {
	ext := map[string]string{"subject": subject}
	if policyType != "" {
		ext["policyType"] = policyType
	}
	if resource != "" {
		ext["resource"] = resource
	}
	if _, err := c.invoke(ctx, brokerAddr, CodeAuthDeleteACL, ext, nil); err != nil {
		return fmt.Errorf("deleting the ACL of %q on %s: %w", subject, brokerAddr, authError(err))
	}
	return nil
}

// optional is a header with one field, or an empty one when v is empty:
// Java then reads the field as null, which the list filters treat as "all".
func optional(name, v string) map[string]string {
	ext := map[string]string{}
	if v != "" {
		ext[name] = v
	}
	return ext
}
