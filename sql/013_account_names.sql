-- 013: an account's name carries no whitespace around it, and names that
-- differ only by case are one customer: " Acme ", "Acme" and "ACME" cannot
-- be three accounts. escd trims every account name as it arrives
-- (name_trim in common/names.c: spaces, tabs, CR, LF, no-break spaces, the
-- set trimmed here) and refuses a name held in another case; these are the
-- database's own guards.
--
-- Names stored before are trimmed. Where trimming or case would make two
-- accounts one, the migration refuses to choose and fails, naming them: an
-- operator renames or merges them, then migrates again.
DO $$
DECLARE
    spaces constant text := E' \t\r\n' || chr(160);
    clash text;
BEGIN
    SELECT string_agg(names, '; ' ORDER BY names COLLATE "C") INTO clash
      FROM (SELECT string_agg(quote_literal(name), ' and ' ORDER BY name COLLATE "C") AS names
              FROM account
             GROUP BY lower(btrim(name, spaces))
            HAVING count(*) > 1) twins;
    IF clash IS NOT NULL THEN
        RAISE EXCEPTION 'accounts differ only by case or surrounding spaces: %; '
                        'rename or merge them, then migrate again', clash;
    END IF;
    SELECT string_agg(quote_literal(name), ', ' ORDER BY name COLLATE "C") INTO clash
      FROM account WHERE btrim(name, spaces) = '';
    IF clash IS NOT NULL THEN
        RAISE EXCEPTION 'account names of whitespace alone: %; rename them, then migrate again',
                        clash;
    END IF;
    UPDATE account SET name = btrim(name, spaces) WHERE name <> btrim(name, spaces);
END
$$;

ALTER TABLE account ADD CONSTRAINT account_name_trimmed
    CHECK (name = btrim(name, E' \t\r\n' || chr(160)));

-- ACCOUNT_EXISTS for "acme" when Acme exists, and the lookup that names
-- Acme in the refusal.
CREATE UNIQUE INDEX account_name_lower ON account (lower(name));
