{#- Indicator ③, the report's 施策等の数; what 'all_programs' and 'all' mean and which
    rows cannot be placed: the marts__fct_support_measures doc block. -#}
with

support_measures as (

    select * from {{ ref('stg_operations__support_measures') }}

),

support_measure_types as (

    select * from {{ ref('support_measure_types') }}

),

programs as (

    select * from {{ ref('dim_programs') }}

),

organisation as (

    select * from {{ ref('organisation') }}

),

measure_versions_ranked as (

    select
        support_measures.*,
        row_number() over (
            partition by
                coalesce({{ dbt.cast('held_on', dbt.type_string()) }}, held_on_text),
                support_measure_type_ja,
                program_name_ja,
                support_measure_title
            order by landed_at desc, batch_id desc, source_row_number desc, record_key desc
        ) as recency_rank

    from support_measures

),

latest_measures as (

    select * from measure_versions_ranked where recency_rank = 1

),

measures_classified as (

    select
        latest_measures.record_key,
        {#- METRICS.md: a fiscal year starts in the organisation's month (organisation.csv;
            Mamabono: April–March); the typed 年度 wins, the date decides when 年度 cannot be
            read. -#}
        coalesce(
            latest_measures.fiscal_year,
            {{ fiscal_year_of('latest_measures.held_on', 'organisation.fiscal_year_start_month') }}
        ) as fiscal_year,
        support_measure_types.support_measure_type,
        case
            when trim(latest_measures.program_name_ja) = '全体' then 'all_programs'
            else latest_measures.program_code
        end as program_code,
        latest_measures.attendees

    from latest_measures

    cross join organisation

    inner join support_measure_types
        on trim(latest_measures.support_measure_type_ja) = support_measure_types.support_measure_type_ja

),

measures_scoped as (

    select record_key, fiscal_year, support_measure_type, program_code, attendees
    from measures_classified
    where program_code is not null

    union all

    select record_key, fiscal_year, support_measure_type, 'all' as program_code, attendees
    from measures_classified

),

measure_counts as (

    select
        fiscal_year,
        support_measure_type,
        program_code,
        count(*) as measures,
        cast(sum(attendees) as {{ dbt.type_bigint() }}) as attendees,
        count(attendees) as measures_with_attendees

    from measures_scoped

    group by fiscal_year, support_measure_type, program_code

),

fiscal_years as (

    select distinct fiscal_year from measures_classified where fiscal_year is not null

),

scopes as (

    select program_code from programs

    union all

    select 'all_programs' as program_code

    union all

    select 'all' as program_code

),

final as (

    select
        {{ dbt.concat([
            dbt.cast('fiscal_years.fiscal_year', dbt.type_string()), "'|'",
            'support_measure_types.support_measure_type', "'|'",
            'scopes.program_code'
        ]) }} as support_measures_key,
        fiscal_years.fiscal_year,
        support_measure_types.support_measure_type,
        support_measure_types.support_measure_type_ja,
        support_measure_types.display_order,
        scopes.program_code,
        coalesce(measure_counts.measures, 0) as measures,
        coalesce(measure_counts.attendees, 0) as attendees,
        coalesce(measure_counts.measures_with_attendees, 0) as measures_with_attendees

    from fiscal_years

    cross join support_measure_types

    cross join scopes

    left join measure_counts
        on fiscal_years.fiscal_year = measure_counts.fiscal_year
        and support_measure_types.support_measure_type = measure_counts.support_measure_type
        and scopes.program_code = measure_counts.program_code

)

select * from final
