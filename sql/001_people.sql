-- 001: users, their roles and their CURVE public keys.
-- A user is admitted by the ZAP handler when their public key is here.

CREATE TYPE esc_role AS ENUM ('sales', 'pm', 'cro', 'exec', 'admin');

CREATE TABLE app_user (
    name        text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_.-]{0,31}$'),
    public_key  text NOT NULL UNIQUE CHECK (length(public_key) = 40),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE user_role (
    user_name   text NOT NULL REFERENCES app_user (name) ON DELETE CASCADE,
    role        esc_role NOT NULL,
    PRIMARY KEY (user_name, role)
);
