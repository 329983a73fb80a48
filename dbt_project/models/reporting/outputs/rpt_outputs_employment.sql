{#- Report table 就業状況内訳: participations by employment status at entry, per program
    group (ママボノ / NEXT / 合計). Every status of a group shares the group's denominator,
    so a group below k is suppressed whole, and the other group with it (the total minus a
    published group would reveal it). -#}
with

employment as (

    select * from {{ ref('fct_outputs_employment') }}

),

groups_with_participants as (

    select * from employment where group_participations > 0

),

suppression as (

    {{ suppression_flags(
        'groups_with_participants',
        partition_by=['fiscal_year', 'employment_status_code'],
        cell_key='program_group_code',
        cell_size='group_participations'
    ) }}

),

final as (

    select
        groups_with_participants.outputs_employment_key,
        groups_with_participants.fiscal_year,
        groups_with_participants.employment_status_code,
        groups_with_participants.employment_status_ja,
        groups_with_participants.display_order,
        groups_with_participants.program_group_code,
        {{ unless_suppressed('groups_with_participants.participations') }} as participations,
        {{ unless_suppressed('groups_with_participants.group_participations') }}
            as group_participations,
        {{ unless_suppressed('groups_with_participants.share_of_group') }} as share_of_group,
        suppression.is_suppressed,
        suppression.suppression_reason

    from groups_with_participants

    inner join suppression
        on groups_with_participants.fiscal_year = suppression.fiscal_year
        and groups_with_participants.employment_status_code
            = suppression.employment_status_code
        and groups_with_participants.program_group_code = suppression.program_group_code

)

select * from final
