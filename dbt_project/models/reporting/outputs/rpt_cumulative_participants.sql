{#- Report chart 延べ参加者数（累積）: participations (延べ) and distinct people per fiscal
    year and program, and both cumulated since FY2022. People-level cells below k are
    suppressed with secondary suppression across the programs of a year. -#}
with

cumulative as (

    select * from {{ ref('fct_cumulative_participants') }}

),

programs as (

    select * from {{ ref('programs') }}

),

years_with_participants as (

    select * from cumulative where participants > 0 or program_code = 'all'

),

suppression as (

    {{ suppression_flags(
        'years_with_participants',
        partition_by=['fiscal_year'],
        cell_key='program_code',
        cell_size='participants'
    ) }}

),

final as (

    select
        years_with_participants.cumulative_participants_key,
        years_with_participants.fiscal_year,
        years_with_participants.program_code,
        coalesce(programs.program_name_ja, '合計') as program_name_ja,
        {{ unless_suppressed('years_with_participants.participations') }} as participations,
        {{ unless_suppressed('years_with_participants.participants') }} as participants,
        {{ unless_suppressed('years_with_participants.cumulative_participations') }}
            as cumulative_participations,
        {{ unless_suppressed('years_with_participants.cumulative_participants') }}
            as cumulative_participants,
        suppression.is_suppressed,
        suppression.suppression_reason

    from years_with_participants

    inner join suppression
        on years_with_participants.fiscal_year = suppression.fiscal_year
        and years_with_participants.program_code = suppression.program_code

    left join programs
        on years_with_participants.program_code = programs.program_code

)

select * from final
