with

source as (

    select * from {{ read_landing_source('quarantine', 'records') }}

),

renamed as (

    select
        {{ dbt.concat(['source', "'|'", 'source_ref', "'|'", 'record_key']) }} as quarantine_key,
        record_key,
        source as source_system,
        source_ref,
        wave_code,
        record_ref,
        reason_code,
        reason_code = 'not_on_roster' as is_notice,
        reason,
        detail,
        value as rejected_value,
        raw_sha256,
        raw_vault_path,
        batch_id,
        {{ parse_utc_timestamp('quarantined_at') }} as quarantined_at

    from source

)

select * from renamed
